/// `otto.webhooks.sweep`: enqueues processing for webhook events that were stored but never
/// enqueued (Redis was down when they arrived), then marks them enqueued. The beat runs it every
/// minute; events younger than `min_age_seconds` are left to the request that stored them.
public struct WebhookSweepTask: OttoTask {
    public struct Arguments: Codable, Sendable {
        public var minAgeSeconds: Int?
        public var limit: Int?
        /// Sweep one tenant only (an operator's targeted catch-up); every tenant when nil.
        public var tenantID: String?

        public init(minAgeSeconds: Int? = nil, limit: Int? = nil, tenantID: String? = nil) {
            self.minAgeSeconds = minAgeSeconds
            self.limit = limit
            self.tenantID = tenantID
        }

        enum CodingKeys: String, CodingKey {
            case minAgeSeconds = "min_age_seconds"
            case limit
            case tenantID = "tenant_id"
        }
    }

    public struct Output: Codable, Sendable {
        public var enqueued: Int
        public var failed: Int
    }

    public static let name = "otto.webhooks.sweep"
    public static var maxAttempts: Int { 1 }

    let enqueuer: (any TaskEnqueuer)?

    /// `enqueuer` is where the sweep sends work; nil means the Redis queue of the task's context.
    public init(enqueuer: (any TaskEnqueuer)? = nil) {
        self.enqueuer = enqueuer
    }

    public func run(_ arguments: Arguments, context: TaskContext) async throws -> Output {
        guard let pool = context.postgres else {
            throw TaskError(.missingDependency, detail: "otto.webhooks.sweep needs DATABASE_URL")
        }
        let target: any TaskEnqueuer
        if let enqueuer {
            target = enqueuer
        } else if let redis = context.redis {
            target = RedisTaskQueue(redis: redis, keys: context.keys)
        } else {
            throw TaskError(.missingDependency, detail: "otto.webhooks.sweep needs Redis or an enqueuer")
        }
        if let tenant = arguments.tenantID, !UUIDText.isValid(tenant) {
            throw TaskError(.invalidArguments, detail: "tenant_id must be a UUID")
        }
        let events = try await WebhookMaintenance(pool: pool).unenqueuedEvents(
            olderThanSeconds: max(0, arguments.minAgeSeconds ?? 30),
            limit: min(10_000, max(1, arguments.limit ?? 1000)),
            tenantID: arguments.tenantID)
        let store = WebhookEventStore(pool: pool)
        var enqueued = 0
        var failed = 0
        for event in events {
            do {
                _ = try await target.enqueue(
                    ProcessWebhookEventTask.self, .init(eventID: event.id, tenantID: event.tenantID),
                    options: EnqueueOptions(tenantID: event.tenantID))
                try await store.markEnqueued(tenantID: event.tenantID, eventID: event.id)
                enqueued += 1
            } catch {
                failed += 1
                context.logger.warning(
                    "webhook sweep could not enqueue", metadata: ["event_id": "\(event.id)", "error": "\(error)"])
                break  // the queue is down: the next sweep tries again
            }
        }
        context.logger.info("webhook sweep done", metadata: ["enqueued": "\(enqueued)", "failed": "\(failed)"])
        return Output(enqueued: enqueued, failed: failed)
    }
}
