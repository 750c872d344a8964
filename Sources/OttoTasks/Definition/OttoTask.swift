/// A task's name and defaults: what a producer needs to enqueue it, without its implementation
/// (otto-beat enqueues the maintenance tasks from their ``MaintenanceTasks`` declarations and links
/// no PostgreSQL code).
///
/// The name is the wire contract between producers and workers of different releases: never
/// rename a shipped task.
public protocol TaskDeclaration {
    /// The stable name producers enqueue (`otto.ping`).
    static var name: String { get }
    /// The queue used when the producer names none.
    static var defaultQueue: String { get }
    /// Attempts before the task is dead-lettered.
    static var maxAttempts: Int { get }
    /// How long one run may take.
    static var timeLimit: Duration { get }
    /// The first retry's delay; each further retry doubles it (with jitter), up to ten minutes.
    static var retryBaseDelay: Duration { get }
    /// How failures are retried; by default `maxAttempts` attempts from `retryBaseDelay`.
    /// Tasks that need PostgreSQL use ``RetryPolicy/databaseBound`` so they outlast an outage.
    static var retryPolicy: RetryPolicy { get }
}

extension TaskDeclaration {
    public static var defaultQueue: String { "default" }
    public static var maxAttempts: Int { 5 }
    public static var timeLimit: Duration { .seconds(300) }
    public static var retryBaseDelay: Duration { .seconds(1) }
    public static var retryPolicy: RetryPolicy { RetryPolicy(maxAttempts: maxAttempts, baseDelay: retryBaseDelay) }
}

/// A background task: a declaration (stable name, defaults), `Codable` arguments and an async
/// `run`. Arguments must stay decodable by the previous release's workers.
public protocol OttoTask: TaskDeclaration, Sendable {
    associatedtype Arguments: Codable & Sendable
    associatedtype Output: Codable & Sendable

    func run(_ arguments: Arguments, context: TaskContext) async throws -> Output
}
