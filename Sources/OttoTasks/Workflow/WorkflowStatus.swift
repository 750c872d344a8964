/// A workflow's state and each of its steps', as the API, `otto-worker inspect` and the
/// dashboard show it.
public struct WorkflowStatus: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Equatable, Codable, CaseIterable {
        /// Started; no step has run yet (or its first step waits for its tenant's slot).
        case queued
        case running
        case succeeded
        /// A step failed for good; `steps` says which and why.
        case failed
    }

    public enum StepState: String, Sendable, Equatable, Codable, CaseIterable {
        case pending, running, succeeded, failed
    }

    public struct Step: Sendable, Equatable, Codable {
        public var name: String
        public var state: StepState
        /// Attempts started in the current run (deferrals are not attempts).
        public var attempts: Int
        /// The last failure's reason (or deferral's), when there was one.
        public var error: String?
        /// Unix seconds, when the step is deferred (a provider's 429 or outage).
        public var deferredUntil: Double?
        public var startedAt: Double?
        public var finishedAt: Double?

        public init(
            name: String, state: StepState, attempts: Int, error: String? = nil, deferredUntil: Double? = nil,
            startedAt: Double? = nil, finishedAt: Double? = nil
        ) {
            self.name = name
            self.state = state
            self.attempts = attempts
            self.error = error
            self.deferredUntil = deferredUntil
            self.startedAt = startedAt
            self.finishedAt = finishedAt
        }

        enum CodingKeys: String, CodingKey {
            case name, state, attempts, error
            case deferredUntil = "deferred_until"
            case startedAt = "started_at"
            case finishedAt = "finished_at"
        }
    }

    public var workflow: String
    public var subjectID: String
    public var run: Int
    public var state: State
    /// In the workflow's order.
    public var steps: [Step]
    /// Unix seconds.
    public var createdAt: Double
    public var updatedAt: Double

    public init(
        workflow: String, subjectID: String, run: Int, state: State, steps: [Step], createdAt: Double,
        updatedAt: Double
    ) {
        self.workflow = workflow
        self.subjectID = subjectID
        self.run = run
        self.state = state
        self.steps = steps
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case workflow, run, state, steps
        case subjectID = "subject_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}
