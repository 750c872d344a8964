import NIOConcurrencyHelpers

/// A worker's live counters, published in its heartbeat.
public final class WorkerStats: Sendable {
    private struct State {
        var inFlight = 0
        var processed = 0
        var failed = 0
        var counts: [String: [String: Int]] = [:]
        var durations: [String: WorkerHeartbeat.DurationSummary] = [:]
    }
    private let state = NIOLockedValueBox(State())

    public init() {}

    func begin() { state.withLockedValue { $0.inFlight += 1 } }

    func end(task: String, outcome: TaskOutcome, seconds: Double) {
        state.withLockedValue { state in
            state.inFlight -= 1
            state.processed += 1
            if outcome != .succeeded { state.failed += 1 }
            state.counts[task, default: [:]][outcome.rawValue, default: 0] += 1
            var summary = state.durations[task, default: .init()]
            summary.count += 1
            summary.sumSeconds += seconds
            state.durations[task] = summary
        }
    }

    public var inFlight: Int { state.withLockedValue { $0.inFlight } }
    public var processed: Int { state.withLockedValue { $0.processed } }

    /// Fills a heartbeat's counters.
    public func apply(to heartbeat: inout WorkerHeartbeat) {
        state.withLockedValue { state in
            heartbeat.inFlight = state.inFlight
            heartbeat.processed = state.processed
            heartbeat.failed = state.failed
            heartbeat.taskCounts = state.counts
            heartbeat.taskDurations = state.durations
        }
    }
}
