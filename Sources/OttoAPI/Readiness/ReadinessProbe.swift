import NIOCore
import OttoCore
import OttoProcessKit
import OttoSupport
import OttoTasks

/// Runs the readiness checks, sharing one check in flight among all concurrent callers, so a
/// health-check storm never multiplies the load on PostgreSQL and Redis.
actor ReadinessProbe {
    let checks: [DependencyCheck]
    let timeout: Duration
    let metrics: APIMetrics?
    private var inFlight: Task<ReadinessReport, Never>?

    /// Each check runs under `timeout`; the whole answer comes within about that long.
    init(checks: [DependencyCheck], timeout: Duration = .milliseconds(800), metrics: APIMetrics? = nil) {
        self.checks = checks
        self.timeout = timeout
        self.metrics = metrics
    }

    /// The current report: joins the check in flight, or starts one.
    func report() async -> ReadinessReport {
        if let inFlight {
            metrics?.recordReadinessShared()
            return await inFlight.value
        }
        let checks = self.checks
        let timeout = self.timeout
        let metrics = self.metrics
        let task = Task {
            let start = NIODeadline.now()
            let results = await DependencyCheck.runAll(checks, timeout: timeout)
            for result in results {
                metrics?.recordDependencyCheck(
                    name: result.name, healthy: result.healthy,
                    duration: .nanoseconds(Int64(result.latencySeconds * 1e9)))
            }
            let elapsed = Double((NIODeadline.now() - start).nanoseconds) / 1e9
            return ReadinessReport(results: results, durationSeconds: elapsed, timestamp: UnixTime.now())
        }
        inFlight = task
        let report = await task.value
        inFlight = nil
        return report
    }

    /// The checks of an API instance: the database always, Redis when configured, the worker
    /// fleet when tasks go through Redis (`ENABLE_CELERY=true`).
    static func checks(dependencies: Dependencies, includeWorkers: Bool) -> [DependencyCheck] {
        var checks: [DependencyCheck] = []
        if let postgres = dependencies.postgres {
            checks.append(.database(postgres, timeout: .milliseconds(800)))
        }
        if let redis = dependencies.redis {
            checks.append(.redis(redis))
            if includeWorkers {
                checks.append(.liveWorkers(WorkerFleet(redis: redis, keys: dependencies.keys)))
            }
        }
        return checks
    }
}
