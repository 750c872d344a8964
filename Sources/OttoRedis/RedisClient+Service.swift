import ServiceLifecycle

extension RedisClient: Service {
    /// The client as a Service of its process's ServiceGroup: listed before the services that use
    /// it, it closes after them (the group stops in reverse order), and also when the group is
    /// cancelled because another service failed.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }
}
