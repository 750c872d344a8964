import OttoPostgres

extension WebhookMaintenance {
    /// One event the sweep took: it must now be enqueued, or handed back with ``release(_:)``.
    public struct SweepClaim: Sendable, Equatable {
        public var eventID: String
        public var tenantID: String
        /// True when nothing had enqueued the event before (its request could not); false when it
        /// was enqueued and is being run again because it was not processed within the deadline.
        public var firstDispatch: Bool
        /// How many times the sweep has now run this event again.
        public var sweepRuns: Int
        /// `last_enqueued_at` before the claim, as PostgreSQL printed it (nil when never re-run).
        var previousLastEnqueuedAt: String?
    }

    /// Takes the events the sweep must enqueue, marking them taken in the same statement, so two
    /// sweeps running at once (two API machines, a retried sweep task) never take the same event.
    ///
    /// - Events never enqueued and received more than `minAgeSeconds` ago (their request stored
    ///   them but could not enqueue; younger ones are left to that request).
    /// - Events enqueued but still unprocessed `deadlineSeconds` after they were last enqueued,
    ///   whatever Redis says: their task died with its process, ran out of retries while a
    ///   dependency was away, or was trimmed from a dead-letter stream. Taking one sets
    ///   `last_enqueued_at` to now, so each event is run again at most once per deadline.
    ///
    /// Both queries are served by partial indexes (`webhook_events_unenqueued`, migration 3, and
    /// `webhook_events_overdue`, migration 5) that hold unfinished events only.
    public func claimDueEvents(
        minAgeSeconds: Int, deadlineSeconds: Int, limit: Int, tenantID: String? = nil
    ) async throws -> [SweepClaim] {
        try await maintenanceTransaction { connection in
            try connection.query(
                """
                WITH candidates AS (
                    (SELECT id FROM webhook_events
                     WHERE enqueued_at IS NULL AND processed_at IS NULL
                       AND received_at < now() - make_interval(secs => $1::integer)
                       AND ($4::uuid IS NULL OR tenant_id = $4::uuid)
                     ORDER BY received_at LIMIT $3::integer)
                    UNION ALL
                    (SELECT id FROM webhook_events
                     WHERE processed_at IS NULL AND enqueued_at IS NOT NULL
                       AND coalesce(last_enqueued_at, enqueued_at) < now() - make_interval(secs => $2::integer)
                       AND ($4::uuid IS NULL OR tenant_id = $4::uuid)
                     ORDER BY coalesce(last_enqueued_at, enqueued_at) LIMIT $3::integer)
                ), locked AS (
                    SELECT e.id, e.enqueued_at IS NULL AS first_dispatch, e.last_enqueued_at AS previous
                    FROM webhook_events e JOIN candidates c ON c.id = e.id
                    LIMIT $3::integer
                    FOR UPDATE OF e SKIP LOCKED
                )
                UPDATE webhook_events e
                SET enqueued_at = coalesce(e.enqueued_at, now()),
                    last_enqueued_at = CASE WHEN l.first_dispatch THEN e.last_enqueued_at ELSE now() END,
                    sweep_runs = e.sweep_runs + CASE WHEN l.first_dispatch THEN 0 ELSE 1 END
                FROM locked l
                WHERE e.id = l.id AND e.processed_at IS NULL
                  AND ((e.enqueued_at IS NULL AND e.received_at < now() - make_interval(secs => $1::integer))
                       OR coalesce(e.last_enqueued_at, e.enqueued_at) < now() - make_interval(secs => $2::integer))
                RETURNING e.id, e.tenant_id, l.first_dispatch, e.sweep_runs, l.previous::text AS previous
                """, [minAgeSeconds, deadlineSeconds, limit, tenantID]
            ).rows.map { row in
                SweepClaim(
                    eventID: try row.decode(String.self, "id"), tenantID: try row.decode(String.self, "tenant_id"),
                    firstDispatch: try row.decode(Bool.self, "first_dispatch"),
                    sweepRuns: try row.decode(Int.self, "sweep_runs"),
                    previousLastEnqueuedAt: try row.decode(String?.self, "previous"))
            }
        }
    }

    /// Hands claimed events back after their enqueue failed, as they were, so the next sweep
    /// takes them at once instead of a deadline later.
    public func release(_ claims: [SweepClaim]) async throws {
        guard !claims.isEmpty else { return }
        _ = try await maintenanceTransaction { connection in
            for claim in claims {
                if claim.firstDispatch {
                    _ = try connection.query(
                        "UPDATE webhook_events SET enqueued_at = NULL WHERE id = $1::uuid AND processed_at IS NULL",
                        [claim.eventID])
                } else {
                    _ = try connection.query(
                        """
                        UPDATE webhook_events SET last_enqueued_at = $2::timestamptz, sweep_runs = sweep_runs - 1
                        WHERE id = $1::uuid AND processed_at IS NULL
                        """, [claim.eventID, claim.previousLastEnqueuedAt])
                }
            }
            return 0
        }
    }
}
