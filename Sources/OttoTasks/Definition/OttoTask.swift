/// A background task: a stable name, `Codable` arguments and an async `run`.
///
/// The name is the wire contract between producers and workers of different releases: never
/// rename a shipped task. Arguments must stay decodable by the previous release's workers.
public protocol OttoTask: Sendable {
    associatedtype Arguments: Codable & Sendable
    associatedtype Output: Codable & Sendable

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

    func run(_ arguments: Arguments, context: TaskContext) async throws -> Output
}

extension OttoTask {
    public static var defaultQueue: String { "default" }
    public static var maxAttempts: Int { 5 }
    public static var timeLimit: Duration { .seconds(300) }
    public static var retryBaseDelay: Duration { .seconds(1) }
    public static var retryPolicy: RetryPolicy { RetryPolicy(maxAttempts: maxAttempts, baseDelay: retryBaseDelay) }
}
