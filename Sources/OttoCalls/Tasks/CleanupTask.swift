import Logging
import OttoPostgres
import OttoRedis
import OttoSupport
import OttoTasks

/// `otto.cleanup`: the daily housekeeping the beat schedules. On the Redis side it trims the
/// dead-letter streams and drops stale worker entries; results and de-duplication keys expire on
/// their own TTLs. With PostgreSQL it deletes webhook events older than the retention (the beat
/// passes `WEBHOOK_RETENTION_DAYS`, 30 by default) and expired idempotency records, in small
/// batches so no lock is held for long.
public struct CleanupTask: OttoTask {
    public struct Arguments: Codable, Sendable {
        /// Dead letters kept per queue (oldest trimmed first).
        public var deadLetterLimit: Int?
        /// Days webhook events are kept; 30 when absent.
        public var webhookRetentionDays: Int?
        public init(deadLetterLimit: Int? = nil, webhookRetentionDays: Int? = nil) {
            self.deadLetterLimit = deadLetterLimit
            self.webhookRetentionDays = webhookRetentionDays
        }
        enum CodingKeys: String, CodingKey {
            case deadLetterLimit = "dead_letter_limit"
            case webhookRetentionDays = "webhook_retention_days"
        }
    }

    public struct Output: Codable, Sendable {
        public var deadLettersTrimmed: Int
        public var staleWorkersRemoved: Int
        public var webhookEventsDeleted: Int = 0
        public var idempotencyKeysDeleted: Int = 0
        enum CodingKeys: String, CodingKey {
            case deadLettersTrimmed = "dead_letters_trimmed"
            case staleWorkersRemoved = "stale_workers_removed"
            case webhookEventsDeleted = "webhook_events_deleted"
            case idempotencyKeysDeleted = "idempotency_keys_deleted"
        }
    }

    // Declared in OttoTasks, which otto-beat enqueues it by.
    public static let name = MaintenanceTasks.Cleanup.name
    public static var defaultQueue: String { MaintenanceTasks.Cleanup.defaultQueue }
    public static var maxAttempts: Int { MaintenanceTasks.Cleanup.maxAttempts }

    let postgres: PostgresPool?
    let redis: RedisClient?
    let keys: RedisKeys

    /// Each side's work is done when its client is given.
    public init(postgres: PostgresPool?, redis: RedisClient?, keys: RedisKeys) {
        self.postgres = postgres
        self.redis = redis
        self.keys = keys
    }

    public func run(_ arguments: Arguments, context: TaskContext) async throws -> Output {
        var output = Output(deadLettersTrimmed: 0, staleWorkersRemoved: 0)
        if let pool = postgres {
            let maintenance = WebhookMaintenance(pool: pool)
            output.webhookEventsDeleted = try await maintenance.deleteOldEvents(
                retentionDays: max(1, arguments.webhookRetentionDays ?? 30))
            output.idempotencyKeysDeleted = try await maintenance.deleteExpiredIdempotencyKeys()
            context.logger.info(
                "database cleanup done",
                metadata: [
                    "webhook_events_deleted": "\(output.webhookEventsDeleted)",
                    "idempotency_keys_deleted": "\(output.idempotencyKeysDeleted)",
                ])
        }
        guard let redis else { return output }
        let limit = arguments.deadLetterLimit ?? 10_000
        var trimmed = 0
        for queue in FleetSnapshot.defaultQueues {
            trimmed += try await redis.send(["XTRIM", keys.dead(queue), "MAXLEN", String(limit)]).int ?? 0
        }
        let cutoff = UnixTime.now() - Double(WorkerHeartbeat.timeToLive)
        let removed = try await redis.send(["ZREMRANGEBYSCORE", keys.workers, "-inf", String(cutoff)]).int ?? 0
        context.logger.info(
            "cleanup done", metadata: ["dead_letters_trimmed": "\(trimmed)", "stale_workers_removed": "\(removed)"])
        output.deadLettersTrimmed = trimmed
        output.staleWorkersRemoved = removed
        return output
    }
}
