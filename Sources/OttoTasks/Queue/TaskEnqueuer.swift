/// Something that accepts tasks: Redis (`ENABLE_CELERY=true`) or the API process itself.
/// Turning the flag off swaps the implementation, which is the documented rollback.
public protocol TaskEnqueuer: Sendable {
    func enqueue(name: String, arguments: String, options: EnqueueOptions) async throws -> EnqueueResult
}

extension TaskEnqueuer {
    /// Enqueues a typed task.
    public func enqueue<T: OttoTask>(_ task: T.Type, _ arguments: T.Arguments, options: EnqueueOptions = .init())
        async throws -> EnqueueResult
    {
        let json = try TaskJSON.encode(arguments)
        return try await enqueue(name: T.name, arguments: json, options: options)
    }
}
