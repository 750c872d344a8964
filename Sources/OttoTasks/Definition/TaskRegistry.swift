import OttoRedis

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Maps task names to their implementations. Each task is registered with the clients it needs,
/// so what a process cannot run is known when it starts (``unavailable``), not when a task
/// first fails to find a client. An unknown name is dead-lettered with a reason, never a crash.
public struct TaskRegistry: Sendable {
    /// A task's defaults and, where this process can run it, its type-erased runner (arguments
    /// JSON in, result JSON out; `null` when the envelope has no result TTL, since nothing keeps
    /// the result then).
    public struct Entry: Sendable {
        public var name: String
        public var defaultQueue: String
        public var maxAttempts: Int
        public var timeLimit: Duration
        public var retryBaseDelay: Duration
        public var retryPolicy: RetryPolicy
        /// Nil when this process lacks a dependency of the task; ``TaskRegistry/unavailable`` says which.
        var run: (@Sendable (String, TaskContext) async throws -> String)?
    }

    private var entries: [String: Entry] = [:]
    /// Tasks this process knows but cannot run, with the reason (e.g. "needs DATABASE_URL").
    public private(set) var unavailable: [String: String] = [:]

    public init() {}

    /// Registers a task, with its dependencies, under its static name.
    public mutating func register<T: OttoTask>(_ task: T) {
        unavailable[T.name] = nil
        entries[T.name] = Self.entry(T.self) { argumentsJSON, context in
            let arguments: T.Arguments
            do {
                arguments =
                    try FlatJSONDecoder.decode(T.Arguments.self, from: argumentsJSON)
                    ?? JSONDecoder().decode(T.Arguments.self, from: Data(argumentsJSON.utf8))
            } catch {
                throw TaskError(.invalidArguments, detail: "arguments do not match \(T.name)")
            }
            let output = try await task.run(arguments, context: context)
            // Only a task enqueued with a result TTL has its result kept (`TaskExecutor.track`);
            // for any other the encoding would be thrown away (5,000 instructions a task).
            guard context.envelope.resultTTL != nil else { return "null" }
            return String(decoding: try JSONEncoder().encode(output), as: UTF8.self)
        }
    }

    /// Registers a task this process cannot run: enqueuing it still gets its defaults, and a
    /// delivery of it is dead-lettered with `reason`.
    public mutating func register<T: TaskDeclaration>(_ type: T.Type, unavailable reason: String) {
        entries[T.name] = Self.entry(T.self, run: nil)
        unavailable[T.name] = reason
    }

    private static func entry<T: TaskDeclaration>(
        _ type: T.Type, run: (@Sendable (String, TaskContext) async throws -> String)?
    ) -> Entry {
        Entry(
            name: T.name, defaultQueue: T.defaultQueue, maxAttempts: T.retryPolicy.maxAttempts, timeLimit: T.timeLimit,
            retryBaseDelay: T.retryPolicy.baseDelay, retryPolicy: T.retryPolicy, run: run)
    }

    /// Registers an entry under its name with `run` (nil and `unavailable` for one this process
    /// cannot run): for task kinds that are not an ``OttoTask`` of their own (workflow steps).
    mutating func register(
        entry: Entry, run: (@Sendable (String, TaskContext) async throws -> String)?, unavailable reason: String? = nil
    ) {
        var entry = entry
        entry.run = run
        entries[entry.name] = entry
        unavailable[entry.name] = run == nil ? (reason ?? "unavailable") : nil
    }

    public func entry(named name: String) -> Entry? { entries[name] }

    public var names: [String] { entries.keys.sorted() }
}
