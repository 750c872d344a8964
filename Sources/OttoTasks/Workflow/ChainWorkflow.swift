import OttoRedis

/// `otto.chain`: the drill workflow, three steps ("first", "second", "third") each like
/// `otto.ping`. Each waits `delay_ms`, appends its name to `trail` and passes the payload on;
/// the step named by `fail_step` fails every attempt (or only its first `fail_attempts`), to
/// drill retries, a workflow's failure and a restart from a step; `tally` counts each step's
/// runs in a Redis hash (drills count duplicates).
public enum ChainWorkflow {
    public static let name = "otto.chain"

    /// Every step's input and output.
    public struct Payload: Codable, Sendable, Equatable {
        public var delayMs: Int?
        public var failStep: String?
        /// With `fail_step`: fail only the step's first this many attempts.
        public var failAttempts: Int?
        public var trail: [String]
        /// Name (under the key prefix) of a hash in which each run of a step increments the step's name.
        public var tally: String?

        public init(
            delayMs: Int? = nil, failStep: String? = nil, failAttempts: Int? = nil, trail: [String] = [],
            tally: String? = nil
        ) {
            self.delayMs = delayMs
            self.failStep = failStep
            self.failAttempts = failAttempts
            self.trail = trail
            self.tally = tally
        }

        enum CodingKeys: String, CodingKey {
            case delayMs = "delay_ms"
            case failStep = "fail_step"
            case failAttempts = "fail_attempts"
            case trail, tally
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            delayMs = try container.decodeIfPresent(Int.self, forKey: .delayMs)
            failStep = try container.decodeIfPresent(String.self, forKey: .failStep)
            failAttempts = try container.decodeIfPresent(Int.self, forKey: .failAttempts)
            trail = try container.decodeIfPresent([String].self, forKey: .trail) ?? []
            tally = try container.decodeIfPresent(String.self, forKey: .tally)
        }
    }

    public struct First: WorkflowStep {
        public static let name = "first"
        public static var retryPolicy: RetryPolicy { ChainWorkflow.retryPolicy }
        let tally: Tally
        public func run(_ input: Payload, context: WorkflowContext) async throws -> Payload {
            try await ChainWorkflow.step(Self.name, input, context, tally)
        }
    }

    public struct Second: WorkflowStep {
        public static let name = "second"
        public static var retryPolicy: RetryPolicy { ChainWorkflow.retryPolicy }
        let tally: Tally
        public func run(_ input: Payload, context: WorkflowContext) async throws -> Payload {
            try await ChainWorkflow.step(Self.name, input, context, tally)
        }
    }

    public struct Third: WorkflowStep {
        public static let name = "third"
        public static var retryPolicy: RetryPolicy { ChainWorkflow.retryPolicy }
        let tally: Tally
        public func run(_ input: Payload, context: WorkflowContext) async throws -> Payload {
            try await ChainWorkflow.step(Self.name, input, context, tally)
        }
    }

    /// Three attempts from 200 ms, so a failing drill ends within a second or two.
    static let retryPolicy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(200))

    /// Where `tally` counts: nil Redis (a process that only enqueues) counts nothing.
    struct Tally: Sendable {
        var redis: RedisClient?
        var keys: RedisKeys
    }

    /// The workflow, on the default queue; `redis` is where `tally` counts.
    public static func workflow(redis: RedisClient?, keys: RedisKeys) -> Workflow<Payload, Payload> {
        let tally = Tally(redis: redis, keys: keys)
        return Workflow(name: name, first: First(tally: tally)).then(Second(tally: tally)).then(Third(tally: tally))
    }

    /// The workflow's name, queue and steps.
    public static let descriptor = workflow(redis: nil, keys: RedisKeys()).descriptor

    static func step(_ name: String, _ input: Payload, _ context: WorkflowContext, _ tally: Tally) async throws
        -> Payload
    {
        if let hash = input.tally, let redis = tally.redis {
            _ = try await redis.send(["HINCRBY", tally.keys.prefix + hash, name, "1"])
        }
        if let delay = input.delayMs, delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
        if input.failStep == name, context.attempt <= (input.failAttempts ?? Int.max) {
            throw TaskError(.requestedFailure, detail: "otto.chain.\(name) was asked to fail")
        }
        var output = input
        output.trail.append(name)
        return output
    }
}
