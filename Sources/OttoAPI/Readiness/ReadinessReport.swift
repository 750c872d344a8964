import OttoCore
import OttoProcessKit

/// One readiness answer: each configured component and whether all of them are healthy
/// (`APIHandler.ready` writes it in the document's two formats).
struct ReadinessReport: Sendable {
    var results: [DependencyCheck.Result]
    var durationSeconds: Double
    var timestamp: Double

    var ready: Bool { results.allSatisfy(\.healthy) }
}
