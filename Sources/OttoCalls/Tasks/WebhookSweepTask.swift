import Logging
import OttoPostgres
import OttoTasks

/// `otto.webhooks.sweep`: PostgreSQL is the source of truth for webhook events, and this is
/// where it shows. It enqueues processing for events that were stored but never enqueued (the
/// queue was down when they arrived), and enqueues again every event still unprocessed
/// `deadline_seconds` after it was last enqueued, whatever Redis says: its task died with its
/// process, ran out of retries while PostgreSQL was away, or its dead letter was trimmed.
///
/// Each event is taken in PostgreSQL before it is enqueued (``WebhookMaintenance/claimDueEvents``),
/// so concurrent sweeps never double it and an event runs again at most once per deadline. The
/// beat schedules it (every fifth of the deadline, at most a minute apart); with
/// `ENABLE_CELERY=false` the API runs it itself (``WebhookSweepService``).
public struct WebhookSweepTask: OttoTask {
    public struct Arguments: Codable, Sendable {
        /// Never-enqueued events younger than this are left to the request that stored them (30 s).
        public var minAgeSeconds: Int?
        /// Unprocessed events enqueued longer ago than this run again (300 s, at most 300).
        public var deadlineSeconds: Int?
        public var limit: Int?
        /// Sweep one tenant only (an operator's targeted catch-up); every tenant when nil.
        public var tenantID: String?

        public init(minAgeSeconds: Int? = nil, deadlineSeconds: Int? = nil, limit: Int? = nil, tenantID: String? = nil)
        {
            self.minAgeSeconds = minAgeSeconds
            self.deadlineSeconds = deadlineSeconds
            self.limit = limit
            self.tenantID = tenantID
        }

        enum CodingKeys: String, CodingKey {
            case minAgeSeconds = "min_age_seconds"
            case deadlineSeconds = "deadline_seconds"
            case limit
            case tenantID = "tenant_id"
        }
    }

    public struct Output: Codable, Sendable {
        /// Events enqueued by this run (first dispatches and re-runs).
        public var enqueued: Int
        /// Of those, events enqueued before and run again because they were not processed in time.
        public var rerun: Int
        /// Events whose enqueue failed (handed back for the next sweep).
        public var failed: Int
    }

    // Declared in OttoTasks, which otto-beat enqueues it by.
    public static let name = MaintenanceTasks.WebhookSweep.name
    public static var maxAttempts: Int { MaintenanceTasks.WebhookSweep.maxAttempts }

    let pool: PostgresPool
    let enqueuer: any TaskEnqueuer

    /// `enqueuer` is where the sweep sends the events it claims.
    public init(postgres: PostgresPool, enqueuer: any TaskEnqueuer) {
        self.pool = postgres
        self.enqueuer = enqueuer
    }

    public func run(_ arguments: Arguments, context: TaskContext) async throws -> Output {
        try await Self.sweep(pool: pool, target: enqueuer, arguments: arguments, logger: context.logger)
    }

    /// One sweep: claims the due events and enqueues each on `target`; what cannot be enqueued
    /// is handed back. Shared by the task and the API's own ``WebhookSweepService``.
    public static func sweep(
        pool: PostgresPool, target: any TaskEnqueuer, arguments: Arguments, logger: Logger
    ) async throws -> Output {
        if let tenant = arguments.tenantID, !UUIDText.isValid(tenant) {
            throw TaskError(.invalidArguments, detail: "tenant_id must be a UUID")
        }
        let deadline = min(300, max(1, arguments.deadlineSeconds ?? 300))
        let maintenance = WebhookMaintenance(pool: pool)
        let claims = try await maintenance.claimDueEvents(
            minAgeSeconds: min(deadline, max(0, arguments.minAgeSeconds ?? 30)), deadlineSeconds: deadline,
            limit: min(10_000, max(1, arguments.limit ?? 1000)), tenantID: arguments.tenantID)
        var output = Output(enqueued: 0, rerun: 0, failed: 0)
        for (index, claim) in claims.enumerated() {
            do {
                _ = try await target.enqueue(
                    ProcessWebhookEventTask.self, .init(eventID: claim.eventID, tenantID: claim.tenantID),
                    options: EnqueueOptions(tenantID: claim.tenantID))
            } catch {
                // The queue is down or full: hand this event and the rest back for the next sweep.
                let unsent = Array(claims[index...])
                output.failed = unsent.count
                logger.warning(
                    "webhook sweep could not enqueue; the next sweep tries again",
                    metadata: ["event_id": "\(claim.eventID)", "left": "\(unsent.count)", "error": "\(error)"])
                try await maintenance.release(unsent)
                break
            }
            output.enqueued += 1
            if !claim.firstDispatch {
                output.rerun += 1
                logger.notice(
                    "webhook event not processed within the deadline; running it again",
                    metadata: [
                        "event_id": "\(claim.eventID)", "tenant_id": "\(claim.tenantID)",
                        "sweep_runs": "\(claim.sweepRuns)", "deadline_s": "\(deadline)",
                    ])
            }
        }
        logger.info(
            "webhook sweep done",
            metadata: ["enqueued": "\(output.enqueued)", "rerun": "\(output.rerun)", "failed": "\(output.failed)"])
        return output
    }
}
