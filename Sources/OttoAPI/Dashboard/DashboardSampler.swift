import Logging
import NIOConcurrencyHelpers
import OttoCalls
import OttoSupport
import OttoTasks
import ServiceLifecycle

/// Samples the fleet every ``interval`` for the dashboard's hour (``DashboardRing``): the
/// attempts each live worker ended since the previous sample, by queue (a task counts on its
/// default queue, as in `/metrics`), and each queue's head-of-line wait. Runs in otto-api as a
/// Service of the application; without Redis there is nothing to sample and it is not started.
final class DashboardSampler: Service, Sendable {
    static let interval: Duration = .seconds(5)

    let fleet: WorkerFleet
    let logger: Logger
    private let state = NIOLockedValueBox(State())

    private struct State {
        var ring = DashboardRing()
        /// Each worker's cumulative counts at the previous sample, by worker id, task and outcome.
        var previous: [String: [String: [String: Int]]] = [:]
        var lastSampleAt: Double?
    }

    init(fleet: WorkerFleet, logger: Logger) {
        self.fleet = fleet
        self.logger = logger
    }

    func run() async throws {
        var warned = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await sample()
                warned = false
            } catch {
                if !warned { logger.warning("dashboard sample failed; retrying", metadata: ["error": "\(error)"]) }
                warned = true
            }
            await sleepUnlessShuttingDown(for: Self.interval)
        }
    }

    /// One sample, now.
    func sample(now: Double = UnixTime.now()) async throws {
        let workers = try await fleet.liveWorkers(now: now)
        var queues = FleetSnapshot.defaultQueues
        for name in workers.flatMap(\.queues) where !queues.contains(name) { queues.append(name) }
        let waits = try await fleet.oldestWaitingAges(queues, now: now)
        state.withLockedValue { state in
            var ended: [String: (succeeded: Int, failed: Int)] = [:]
            var current: [String: [String: [String: Int]]] = [:]
            for worker in workers {
                current[worker.id] = worker.taskCounts
                // A worker first seen after the first sample counts whole: it was not live when the
                // sampler began, so its every attempt is new (including those it ran before its
                // heartbeat was first read: comparing its start with the previous sample lost
                // them). Those live at the first sample give their counts as the baseline.
                let before: [String: [String: Int]]
                if let known = state.previous[worker.id] {
                    before = known
                } else if state.lastSampleAt != nil {
                    before = [:]
                } else {
                    continue
                }
                for (task, counts) in worker.taskCounts {
                    let queue = TaskRegistry.catalog.entry(named: task)?.defaultQueue ?? "default"
                    for (outcome, count) in counts {
                        let delta = max(0, count - (before[task]?[outcome] ?? 0))
                        if outcome == TaskOutcome.succeeded.rawValue {
                            ended[queue, default: (0, 0)].succeeded += delta
                        } else {
                            ended[queue, default: (0, 0)].failed += delta
                        }
                    }
                }
            }
            for queue in Set(queues).union(ended.keys) {
                state.ring.record(
                    time: now, queue: queue, succeeded: ended[queue]?.succeeded ?? 0, failed: ended[queue]?.failed ?? 0,
                    wait: waits[queue])
            }
            state.previous = current
            state.lastSampleAt = now
        }
    }

    /// The hour of every queue.
    func summaries(now: Double = UnixTime.now()) -> [String: DashboardRing.QueueSummary] {
        state.withLockedValue { $0.ring.summaries(time: now) }
    }
}
