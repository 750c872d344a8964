import OttoSupport

extension WorkerFleet {
    /// The live workers, the queues' depths and the canary, as `/internal/worker/heartbeat`
    /// shows them.
    public func snapshot(now: Double = UnixTime.now()) async throws -> FleetSnapshot {
        try await FleetSnapshot.read(redis: redis, keys: keys, now: now)
    }
}
