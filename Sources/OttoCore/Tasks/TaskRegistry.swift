#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Maps task names to their implementations. An unknown name is dead-lettered with a reason,
/// never a crash.
public struct TaskRegistry: Sendable {
    /// A type-erased runner: arguments JSON in, result JSON out.
    public struct Entry: Sendable {
        public var name: String
        public var defaultQueue: String
        public var maxAttempts: Int
        public var timeLimit: Duration
        public var retryBaseDelay: Duration
        public var retryPolicy: RetryPolicy
        let run: @Sendable (String, TaskContext) async throws -> String
    }

    private var entries: [String: Entry] = [:]

    public init() {}

    /// Registers a task under its static name.
    public mutating func register<T: OttoTask>(_ task: T) {
        entries[T.name] = Entry(
            name: T.name, defaultQueue: T.defaultQueue, maxAttempts: T.retryPolicy.maxAttempts, timeLimit: T.timeLimit,
            retryBaseDelay: T.retryPolicy.baseDelay, retryPolicy: T.retryPolicy
        ) { argumentsJSON, context in
            let arguments: T.Arguments
            do {
                arguments = try JSONDecoder().decode(T.Arguments.self, from: Data(argumentsJSON.utf8))
            } catch {
                throw TaskError(.invalidArguments, detail: "arguments do not match \(T.name)")
            }
            let output = try await task.run(arguments, context: context)
            return String(decoding: try JSONEncoder().encode(output), as: UTF8.self)
        }
    }

    public func entry(named name: String) -> Entry? { entries[name] }

    public var names: [String] { entries.keys.sorted() }

    /// The tasks every Otto process knows.
    public static func standard() -> TaskRegistry {
        var registry = TaskRegistry()
        registry.register(PingTask())
        registry.register(CleanupTask())
        registry.register(ProcessWebhookEventTask())
        registry.register(WebhookSweepTask())
        return registry
    }
}
