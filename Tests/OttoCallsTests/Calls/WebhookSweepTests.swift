import Foundation
import Logging
import OttoPostgres
import OttoTestSupport
import Synchronization
import Testing

@testable import OttoCalls
@testable import OttoCore
@testable import OttoProcessKit
@testable import OttoTasks

/// The sweep against a real PostgreSQL database of each test's own (created and migrated by
/// `otto-api migrate`): in-process test applications sweep the shared test database across
/// tenants with the production defaults, so on it this test's events would be theirs too once
/// old enough, and the counts below would depend on how fast the machine runs.
@Suite("Webhook sweep")
struct WebhookSweepTests {
    /// Where the sweep sends work in these tests: it records what it was given (the sweep's
    /// `enqueuer` is its seam; PostgreSQL underneath is real).
    final class RecordingEnqueuer: TaskEnqueuer, Sendable {
        let events = Mutex<[String]>([])
        let failAfter: Int?

        init(failAfter: Int? = nil) { self.failAfter = failAfter }

        func enqueue(name: String, arguments: String, options: EnqueueOptions) async throws -> EnqueueResult {
            let decoded = try JSONDecoder().decode(ProcessWebhookEventTask.Arguments.self, from: Data(arguments.utf8))
            try events.withLock { events in
                if let failAfter, events.count >= failAfter { throw TaskError(.queueUnavailable, detail: "test") }
                events.append(decoded.eventID)
            }
            return EnqueueResult(id: UUID().uuidString, queue: "default", created: true)
        }

        var recorded: [String] { events.withLock { $0 } }
    }

    static func sweep(
        _ pool: PostgresPool, tenant: String, to target: RecordingEnqueuer, minAge: Int = 10, deadline: Int = 100
    ) async throws -> WebhookSweepTask.Output {
        try await WebhookSweepTask.sweep(
            pool: pool, target: target,
            arguments: .init(minAgeSeconds: minAge, deadlineSeconds: deadline, tenantID: tenant),
            logger: Logger(label: "otto.tests.sweep"))
    }

    /// Marks events enqueued `secondsAgo` ago, as if a request or sweep had enqueued them then.
    static func enqueued(_ pool: PostgresPool, tenant: String, _ ids: [String], secondsAgo: Int) async throws {
        _ = try await TenantScope.transaction(pool, tenantID: tenant) { connection in
            for id in ids {
                _ = try connection.query(
                    """
                    UPDATE webhook_events SET enqueued_at = now() - make_interval(secs => $2::integer),
                        received_at = now() - make_interval(secs => $2::integer + 1)
                    WHERE id = $1::uuid
                    """, [id, secondsAgo])
            }
            return 0
        }
    }

    /// Runs `body` with a pool (six connections, so sweeps run side by side) on a database of
    /// the test's own, dropped afterwards.
    static func withOwnDatabase(_ body: (PostgresPool) async throws -> Void) async throws {
        let database = try await OwnDatabase.create("sweep")
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url: database.url, poolSize: 6, applicationName: "otto_test_sweep"),
            logger: Logger(label: "otto.tests.sweep"))
        do {
            try await body(pool)
        } catch {
            await pool.shutdown()
            await database.drop()
            throw error
        }
        await pool.shutdown()
        await database.drop()
    }

    @Test("an event enqueued but unprocessed past the deadline runs again, once per deadline, whatever Redis says")
    func overdueEventRunsAgainOncePerDeadline() async throws {
        try await Self.withOwnDatabase { pool in
            let tenant = try await CallsTestDatabase.tenant(pool)
            let overdue = try await CallsTestDatabase.twilioEvent(
                pool, tenant: tenant, callSID: "CA-o1", status: "ringing")
            let recent = try await CallsTestDatabase.twilioEvent(
                pool, tenant: tenant, callSID: "CA-o2", status: "ringing")
            let done = try await CallsTestDatabase.twilioEvent(
                pool, tenant: tenant, callSID: "CA-o3", status: "ringing")
            try await Self.enqueued(pool, tenant: tenant, [overdue, done], secondsAgo: 200)
            try await Self.enqueued(pool, tenant: tenant, [recent], secondsAgo: 10)
            try await WebhookEventStore(pool: pool).markProcessed(tenantID: tenant, eventID: done)

            let target = RecordingEnqueuer()
            let first = try await Self.sweep(pool, tenant: tenant, to: target)
            #expect(target.recorded == [overdue])
            #expect(first.enqueued == 1 && first.rerun == 1)
            // Taken again only a deadline after this run.
            let second = try await Self.sweep(pool, tenant: tenant, to: target)
            #expect(second.enqueued == 0)
            #expect(target.recorded == [overdue])
            let runs = try await TenantScope.transaction(pool, tenantID: tenant) { connection in
                try connection.query("SELECT sweep_runs FROM webhook_events WHERE id = $1::uuid", [overdue]).first?
                    .decode(Int.self, "sweep_runs")
            }
            #expect(runs == 1)
        }
    }

    @Test("concurrent sweeps take disjoint events, and a failed enqueue hands the rest back for the next sweep")
    func concurrentSweepsNeverDouble() async throws {
        try await Self.withOwnDatabase { pool in
            let tenant = try await CallsTestDatabase.tenant(pool)
            var ids: [String] = []
            for index in 0..<60 {
                ids.append(
                    try await CallsTestDatabase.twilioEvent(
                        pool, tenant: tenant, callSID: "CA-c\(index)", status: "ringing"))
            }
            try await Self.enqueued(pool, tenant: tenant, Array(ids.prefix(30)), secondsAgo: 250)  // overdue
            // The other 30 were never enqueued (their requests could not reach the queue).
            _ = try await TenantScope.transaction(pool, tenantID: tenant) { connection in
                try connection.query(
                    "UPDATE webhook_events SET received_at = now() - interval '20 seconds' WHERE enqueued_at IS NULL")
            }

            let targets = [RecordingEnqueuer(), RecordingEnqueuer(), RecordingEnqueuer()]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for target in targets {
                    group.addTask { _ = try await Self.sweep(pool, tenant: tenant, to: target) }
                }
                try await group.waitForAll()
            }
            let all = targets.flatMap(\.recorded)
            #expect(all.count == 60, "enqueued \(all.count)")
            #expect(Set(all) == Set(ids))

            // A queue that fails after 5: the other events go back, as they were.
            let later = try await CallsTestDatabase.twilioEvent(pool, tenant: tenant, callSID: "CA-c-late", status: "x")
            var more = [later]
            for index in 0..<9 {
                more.append(
                    try await CallsTestDatabase.twilioEvent(
                        pool, tenant: tenant, callSID: "CA-c-m\(index)", status: "x"))
            }
            let failing = RecordingEnqueuer(failAfter: 5)
            let partial = try await Self.sweep(pool, tenant: tenant, to: failing, minAge: 0)
            #expect(partial.enqueued == 5 && partial.failed == 5)
            let next = RecordingEnqueuer()
            let rest = try await Self.sweep(pool, tenant: tenant, to: next, minAge: 0)
            #expect(rest.enqueued == 5)
            #expect(Set(failing.recorded + next.recorded) == Set(more))
        }
    }

    @Test("the sweep's queries use the partial indexes of migrations 3 and 5")
    func sweepQueriesAreIndexed() async throws {
        try await CallsTestDatabase.withPool { pool in
            let plans = try await pool.transaction { connection -> [String] in
                _ = try connection.query("SET LOCAL enable_seqscan = off")
                let queries = [
                    """
                    SELECT id FROM webhook_events WHERE enqueued_at IS NULL AND processed_at IS NULL
                      AND received_at < now() - interval '30 seconds' ORDER BY received_at LIMIT 1000
                    """,
                    """
                    SELECT id FROM webhook_events WHERE processed_at IS NULL AND enqueued_at IS NOT NULL
                      AND coalesce(last_enqueued_at, enqueued_at) < now() - interval '300 seconds'
                    ORDER BY coalesce(last_enqueued_at, enqueued_at) LIMIT 1000
                    """,
                ]
                return try queries.map { query in
                    try connection.query("EXPLAIN " + query).rows.compactMap {
                        try $0.decode(String?.self, "QUERY PLAN")
                    }
                    .joined(separator: "\n")
                }
            }
            #expect(plans[0].contains("webhook_events_unenqueued"), "\(plans[0])")
            #expect(plans[1].contains("webhook_events_overdue"), "\(plans[1])")
        }
    }
}
