/// Why a task could not be enqueued or run.
public struct TaskError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let raw: String
        public var description: String { raw }
        /// No task of that name is registered.
        public static let unknownTask = Code(raw: "unknown task")
        /// The arguments did not decode as the task's `Arguments`.
        public static let invalidArguments = Code(raw: "invalid arguments")
        /// The run exceeded the task's time limit.
        public static let timeLimitExceeded = Code(raw: "time limit exceeded")
        /// The task asked to fail (`otto.ping` with `fail: true`).
        public static let requestedFailure = Code(raw: "requested failure")
        /// The queue name is not valid.
        public static let invalidQueue = Code(raw: "invalid queue")
        /// The entry could not be read.
        public static let malformedEntry = Code(raw: "malformed entry")
        /// The process lacks a client the task needs (PostgreSQL for webhook processing).
        public static let missingDependency = Code(raw: "missing dependency")
        /// The in-process runner is stopping or full; the task was not accepted.
        public static let queueUnavailable = Code(raw: "queue unavailable")
    }
    public var code: Code
    public var detail: String?

    public init(_ code: Code, detail: String? = nil) {
        self.code = code
        self.detail = detail
    }

    public var description: String { detail.map { "\(code): \($0)" } ?? code.description }
}
