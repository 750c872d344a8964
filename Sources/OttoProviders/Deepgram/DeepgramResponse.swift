/// The parts of Deepgram's `ListenV1Response` Otto reads (metadata and utterances).
struct DeepgramResponse: Decodable {
    struct Metadata: Decodable {
        var requestID: String?
        var duration: Double
        var models: [String]?
        var modelInfo: [String: ModelInfo]?

        enum CodingKeys: String, CodingKey {
            case requestID = "request_id"
            case duration, models
            case modelInfo = "model_info"
        }
    }

    struct ModelInfo: Decodable {
        var name: String?
    }

    struct Results: Decodable {
        var utterances: [Utterance]?
    }

    struct Utterance: Decodable {
        var start: Double
        var end: Double
        var confidence: Double
        var channel: Int?
        var speaker: Int?
        var transcript: String
    }

    var metadata: Metadata
    var results: Results

    /// The transcript, or why the answer cannot be one.
    func transcript(model: String) throws(ProviderError) -> Transcript {
        func invalid(_ reason: String) -> ProviderError { ProviderError(.deepgram, .invalidResponse(reason: reason)) }
        guard metadata.duration.isFinite, metadata.duration >= 0 else {
            throw invalid("metadata.duration is not a length")
        }
        guard let raw = results.utterances else {
            throw invalid("results.utterances is missing (utterances=true was sent)")
        }
        var utterances: [Transcript.Utterance] = []
        utterances.reserveCapacity(raw.count)
        for (index, item) in raw.enumerated() {
            guard item.start.isFinite, item.end.isFinite, item.start >= 0, item.end >= item.start else {
                throw invalid("utterance \(index) has no valid start and end")
            }
            guard item.confidence.isFinite, (0...1).contains(item.confidence) else {
                throw invalid("utterance \(index) has a confidence outside 0...1")
            }
            utterances.append(
                .init(
                    channel: item.channel ?? 0, speaker: item.speaker, start: item.start, end: item.end,
                    confidence: item.confidence, text: item.transcript))
        }
        // Deepgram orders multichannel utterances by channel, then time: the transcript reads in time.
        utterances.sort { ($0.start, $0.channel) < ($1.start, $1.channel) }
        let modelName = metadata.models?.first.flatMap { metadata.modelInfo?[$0]?.name }
        return Transcript(
            utterances: utterances, durationSeconds: metadata.duration, model: model, modelName: modelName,
            requestID: metadata.requestID)
    }
}
