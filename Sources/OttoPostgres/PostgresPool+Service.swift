import ServiceLifecycle

extension PostgresPool: Service {
    /// The pool as a Service of its process's ServiceGroup: listed before the services that use
    /// it, it is shut down after them (the group stops in reverse order), and also when the group
    /// is cancelled because another service failed.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }
}
