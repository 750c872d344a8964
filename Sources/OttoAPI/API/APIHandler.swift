import HTTPTypes
import OpenAPIRuntime
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks

/// The operations of docs/openapi.json that the generated `APIProtocol` declares: `/health`,
/// `/ready`, `/internal/worker/heartbeat` and the tenant API under `/v1` (one file per
/// capability: `APIHandler+Health`, `+Internal`, `+Me`, `+Calls`, `+Pipeline`, `+Tasks`). Each calls the
/// same core logic the hand-written routes called; errors are thrown as `Problem`s, which
/// observability renders as problem+json.
///
/// The Hummingbird request context (the tenant that authentication resolved, the trace to
/// pass on to tasks) comes from `OperationContextMiddleware`, the innermost layer of every
/// group that serves these operations.
struct APIHandler: APIProtocol {
    let probe: ReadinessProbe
    /// The tenants' calls; nil without a database.
    let calls: CallStore?
    /// Task states for `GET /v1/tasks/{id}`; nil without Redis.
    let taskStates: TaskStateStore?
    /// The worker fleet; nil without Redis.
    let fleet: WorkerFleet?
    let tasks: any TaskEnqueuer
    /// The pipeline's transcripts, analyses and usage ledger; nil without a database.
    var pipeline: PipelineReader? = nil
    /// Where the calls' analysis workflows are kept, for `GET /v1/calls/{id}`'s `workflow`; nil
    /// leaves it null.
    var workflows: (any WorkflowJournal)? = nil

    static let service = "otto-api"

    /// The generated code's conversions: times parsed and written as the hand-written routes
    /// did; JSON written compactly, without escaping `/`, and with sorted keys (without them,
    /// FoundationEssentials' encoder writes an object's keys in a different order per process).
    static let configuration = Configuration(
        dateTranscoder: OttoDateTranscoder(), jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes])

    /// This request's context, as the middleware of its group left it.
    var context: OttoRequestContext {
        get throws {
            guard let context = OperationContextMiddleware.current else {
                throw Problem(.internalServerError, detail: "The server could not complete the request.")
            }
            return context
        }
    }

    /// The authenticated caller's tenant, which tenant resolution recorded; 401 without one.
    var tenant: String {
        get throws {
            guard let tenant = try context.facts.tenantID else {
                throw Problem(.unauthorized, detail: "A valid session token is required.")
            }
            return tenant
        }
    }
}
