/// `otto.cleanup`: the daily housekeeping the beat schedules. On the Redis side it trims the
/// dead-letter streams and drops stale worker entries; results and de-duplication keys expire on
/// their own TTLs.
public struct CleanupTask: OttoTask {
    public struct Arguments: Codable, Sendable {
        /// Dead letters kept per queue (oldest trimmed first).
        public var deadLetterLimit: Int?
        public init(deadLetterLimit: Int? = nil) { self.deadLetterLimit = deadLetterLimit }
        enum CodingKeys: String, CodingKey { case deadLetterLimit = "dead_letter_limit" }
    }

    public struct Output: Codable, Sendable {
        public var deadLettersTrimmed: Int
        public var staleWorkersRemoved: Int
        enum CodingKeys: String, CodingKey {
            case deadLettersTrimmed = "dead_letters_trimmed"
            case staleWorkersRemoved = "stale_workers_removed"
        }
    }

    public static let name = "otto.cleanup"
    public static var defaultQueue: String { "low" }
    public static var maxAttempts: Int { 3 }

    public init() {}

    public func run(_ arguments: Arguments, context: TaskContext) async throws -> Output {
        guard let redis = context.redis else { return Output(deadLettersTrimmed: 0, staleWorkersRemoved: 0) }
        let limit = arguments.deadLetterLimit ?? 10_000
        var trimmed = 0
        for queue in FleetSnapshot.defaultQueues {
            trimmed += try await redis.send(["XTRIM", context.keys.dead(queue), "MAXLEN", String(limit)]).int ?? 0
        }
        let cutoff = UnixTime.now() - Double(WorkerHeartbeat.timeToLive)
        let removed = try await redis.send(["ZREMRANGEBYSCORE", context.keys.workers, "-inf", String(cutoff)]).int ?? 0
        context.logger.info(
            "cleanup done", metadata: ["dead_letters_trimmed": "\(trimmed)", "stale_workers_removed": "\(removed)"])
        return Output(deadLettersTrimmed: trimmed, staleWorkersRemoved: removed)
    }
}
