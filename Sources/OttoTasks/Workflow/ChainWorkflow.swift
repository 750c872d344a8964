/// `otto.chain`: the drill workflow, three steps ("first", "second", "third") each like
/// `otto.ping`. Each waits `delay_ms`, appends its name to `trail` and passes the payload on;
/// the step named by `fail_step` fails every attempt (or only its first `fail_attempts`), to
/// drill retries, a workflow's failure and a restart from a step.
public enum ChainWorkflow {
    public static let name = "otto.chain"

    /// Every step's input and output.
    public struct Payload: Codable, Sendable, Equatable {
        public var delayMs: Int?
        public var failStep: String?
        /// With `fail_step`: fail only the step's first this many attempts.
        public var failAttempts: Int?
        public var trail: [String]

        public init(delayMs: Int? = nil, failStep: String? = nil, failAttempts: Int? = nil, trail: [String] = []) {
            self.delayMs = delayMs
            self.failStep = failStep
            self.failAttempts = failAttempts
            self.trail = trail
        }

        enum CodingKeys: String, CodingKey {
            case delayMs = "delay_ms"
            case failStep = "fail_step"
            case failAttempts = "fail_attempts"
            case trail
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            delayMs = try container.decodeIfPresent(Int.self, forKey: .delayMs)
            failStep = try container.decodeIfPresent(String.self, forKey: .failStep)
            failAttempts = try container.decodeIfPresent(Int.self, forKey: .failAttempts)
            trail = try container.decodeIfPresent([String].self, forKey: .trail) ?? []
        }
    }

    public struct First: WorkflowStep {
        public static let name = "first"
        public static var retryPolicy: RetryPolicy { ChainWorkflow.retryPolicy }
        public init() {}
        public func run(_ input: Payload, context: WorkflowContext) async throws -> Payload {
            try await ChainWorkflow.step(Self.name, input, context)
        }
    }

    public struct Second: WorkflowStep {
        public static let name = "second"
        public static var retryPolicy: RetryPolicy { ChainWorkflow.retryPolicy }
        public init() {}
        public func run(_ input: Payload, context: WorkflowContext) async throws -> Payload {
            try await ChainWorkflow.step(Self.name, input, context)
        }
    }

    public struct Third: WorkflowStep {
        public static let name = "third"
        public static var retryPolicy: RetryPolicy { ChainWorkflow.retryPolicy }
        public init() {}
        public func run(_ input: Payload, context: WorkflowContext) async throws -> Payload {
            try await ChainWorkflow.step(Self.name, input, context)
        }
    }

    /// Three attempts from 200 ms, so a failing drill ends within a second or two.
    static let retryPolicy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(200))

    /// The workflow, on the default queue.
    public static let workflow = Workflow(name: name, first: First()).then(Second()).then(Third())

    static func step(_ name: String, _ input: Payload, _ context: WorkflowContext) async throws -> Payload {
        if let delay = input.delayMs, delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
        if input.failStep == name, context.attempt <= (input.failAttempts ?? Int.max) {
            throw TaskError(.requestedFailure, detail: "otto.chain.\(name) was asked to fail")
        }
        var output = input
        output.trail.append(name)
        return output
    }
}
