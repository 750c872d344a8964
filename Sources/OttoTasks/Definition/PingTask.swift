import OttoRedis
import OttoSupport

/// `otto.ping`: the drill task. It returns "pong"; `delay_ms` simulates work, `fail` fails every
/// attempt (to drill retries, dead letters and replay), `canary` marks the beat's pipeline canary
/// as completed, and `tally` counts each run in a Redis hash (chaos drills count duplicates).
public struct PingTask: OttoTask {
    public struct Arguments: Codable, Sendable {
        public var delayMs: Int?
        public var fail: Bool?
        public var canary: Bool?
        /// Name (under the key prefix) of a hash in which each run increments its task id.
        public var tally: String?

        public init(delayMs: Int? = nil, fail: Bool? = nil, canary: Bool? = nil, tally: String? = nil) {
            self.delayMs = delayMs
            self.fail = fail
            self.canary = canary
            self.tally = tally
        }

        enum CodingKeys: String, CodingKey {
            case delayMs = "delay_ms"
            case fail, canary, tally
        }
    }

    public static let name = "otto.ping"
    public static var retryBaseDelay: Duration { .milliseconds(200) }

    let redis: RedisClient?
    let keys: RedisKeys

    /// `redis` nil (tasks in otto-api without Redis): `tally` and `canary` are not recorded.
    public init(redis: RedisClient?, keys: RedisKeys) {
        self.redis = redis
        self.keys = keys
    }

    public func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
        if let tally = arguments.tally, let redis {
            _ = try await redis.send(["HINCRBY", keys.prefix + tally, context.taskID, "1"])
        }
        if let delay = arguments.delayMs, delay > 0 {
            try await Task.sleep(for: .milliseconds(delay))
        }
        if arguments.fail == true {
            throw TaskError(.requestedFailure, detail: "otto.ping was asked to fail")
        }
        if arguments.canary == true, let redis {
            _ = try await redis.send(["SET", keys.canaryCompleted, String(UnixTime.now())])
        }
        return "pong"
    }
}
