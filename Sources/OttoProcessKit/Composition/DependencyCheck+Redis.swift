import OttoRedis
import OttoTasks

extension DependencyCheck {
    /// `redis`: a `PING` within the client's command timeout.
    public static func redis(_ client: RedisClient) -> DependencyCheck {
        DependencyCheck(name: "redis") { try await client.ping() }
    }

    /// `celery_workers`: at least one worker whose heartbeat is live.
    public static func liveWorkers(_ fleet: WorkerFleet) -> DependencyCheck {
        DependencyCheck(name: "celery_workers") {
            guard try await fleet.hasLiveWorker() else { throw NoLiveWorker() }
        }
    }

    /// No worker's heartbeat is live.
    struct NoLiveWorker: Error {}
}
