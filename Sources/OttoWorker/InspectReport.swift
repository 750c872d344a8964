import OttoCalls
import OttoTasks

/// `otto-worker inspect --json`: the fleet's document (queues, workers, canary) with the call
/// pipeline's beside it under `pipeline`.
struct InspectReport: Encodable {
    let fleet: FleetSnapshot
    let pipeline: PipelineSnapshot

    func encode(to encoder: any Encoder) throws {
        try fleet.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(pipeline, forKey: .pipeline)
    }

    enum CodingKeys: String, CodingKey {
        case pipeline
    }
}
