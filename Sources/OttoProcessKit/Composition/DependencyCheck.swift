import NIOCore
import OttoSupport

/// One dependency a process can prove answers: PostgreSQL, Redis, or the worker fleet.
public struct DependencyCheck: Sendable {
    /// The component name shown by `/ready` and `check-config --connect` (`database`, `redis`, `celery_workers`).
    public var name: String
    /// Succeeds when the dependency answers; throws otherwise.
    public var probe: @Sendable () async throws -> Void

    public init(name: String, probe: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.probe = probe
    }

    /// The outcome of one check.
    public struct Result: Sendable, Equatable {
        public var name: String
        public var healthy: Bool
        public var latencySeconds: Double
        /// A short, secret-free reason when unhealthy (`timeout`, `unavailable`).
        public var reason: String?
    }

    /// Runs every check concurrently, each under `timeout`, and returns their results in the given order.
    public static func runAll(_ checks: [DependencyCheck], timeout: Duration) async -> [Result] {
        await withTaskGroup(of: (Int, Result).self) { group in
            for (index, check) in checks.enumerated() {
                group.addTask {
                    let start = NIODeadline.now()
                    var reason: String?
                    do {
                        try await withDeadline(timeout) { try await check.probe() }
                    } catch is DeadlineExceeded {
                        reason = "timeout"
                    } catch {
                        reason = "unavailable"
                    }
                    let elapsed = Double((NIODeadline.now() - start).nanoseconds) / 1e9
                    return (
                        index, Result(name: check.name, healthy: reason == nil, latencySeconds: elapsed, reason: reason)
                    )
                }
            }
            var results = [Result?](repeating: nil, count: checks.count)
            for await (index, result) in group { results[index] = result }
            return results.compactMap { $0 }
        }
    }
}
