import Foundation
import Logging
import OttoCore
import OttoPostgres
import OttoTestSupport
import Testing

extension NoLossSystemTests {
    /// ENABLE_CELERY=true: PostgreSQL, not Redis, is the source of truth for webhook events. Real
    /// otto-api, otto-worker and otto-beat processes, a PostgreSQL server of the test's own (so it
    /// can go away) and the shared Redis under a private key prefix.
    @Suite("Database outages lose nothing", .serialized)
    struct DatabaseOutageTests {
        @Test(
            "webhook tasks that run out of retries while PostgreSQL is away run again once it is back, even after their dead letters were trimmed"
        )
        func exhaustedRetriesAreSweptAfterTheOutage() async throws {
            let postgres = try await OwnPostgresServer.create()
            try await postgres.start()
            let harness = try QueueHarness(name: "pg-outage")
            let environment = harness.environment([
                "DATABASE_URL": postgres.url, "ENABLE_CELERY_BEAT": "true", "BEAT_CANARY_INTERVAL": "0",
                "WEBHOOK_SWEEP_DEADLINE": "5", "DATABASE_RETRY_SPAN": "2", "LOG_FORMAT": "json",
            ])
            let (migrated, migration) = try await ChildProcess.run("otto-api", ["migrate"], environment: environment)
            #expect(migrated == 0, "\(migration)")
            let api = try await APIProcess(environment: environment)
            let tenant = try await api.createTenant()
            let observer = PostgresPool(
                configuration: PostgresConfiguration(
                    url: postgres.url, poolSize: 1, applicationName: "otto_test_observer"),
                logger: Logger(label: "otto.tests.db"))

            // Stored and enqueued while PostgreSQL is up; no worker runs yet.
            for index in 0..<10 {
                #expect(
                    try await api.twilioWebhook(tenant: tenant, callSID: "CA-outage-\(index)", status: "ringing") == 200
                )
            }
            let stream = try await harness.redis.send(["XLEN", harness.keys.stream("default")]).int
            #expect(stream == 10)

            await postgres.stop()
            let worker = ChildProcess(binary: "otto-worker", environment: environment)
            try worker.start()
            let deadTasks = {
                LogLines.count(
                    worker.output,
                    containing: [
                        "\"message\":\"task finished\"", "\"task_name\":\"process_webhook_event\"",
                        "\"outcome\":\"dead\"",
                    ])
            }
            let exhausted = await eventually(timeout: .seconds(90), every: .milliseconds(500)) { deadTasks() == 10 }
            #expect(exhausted, "dead: \(deadTasks()); \(worker.output.suffix(2000))")

            try await postgres.start()
            // The daily cleanup with no dead letters kept: the only trace left in Redis goes.
            let ids = try await harness.enqueue("otto.cleanup", args: #"{"dead_letter_limit": 0}"#)
            let cleanupID = try #require(ids.first)
            let cleaned = await eventually(timeout: .seconds(60), every: .milliseconds(500)) {
                LogLines.taskEnds(worker.output, taskID: cleanupID).contains { $0["outcome"] as? String == "succeeded" }
            }
            #expect(cleaned, "\(worker.output.suffix(2000))")
            #expect(try await harness.redis.send(["XLEN", harness.keys.dead("default")]).int == 0)
            #expect(
                try await Self.count(
                    observer, "SELECT count(*) AS n FROM webhook_events WHERE processed_at IS NULL")
                    == 10)

            // PostgreSQL still has every event; the beat's sweep runs them again.
            let beat = ChildProcess(binary: "otto-beat", environment: environment)
            try beat.start()
            let recovered = await eventually(timeout: .seconds(90), every: .milliseconds(500)) {
                (try? await Self.count(
                    observer, "SELECT count(*) AS n FROM webhook_events WHERE processed_at IS NOT NULL"))
                    == 10
            }
            #expect(recovered, "\(beat.output.suffix(2000))\n\(worker.output.suffix(2000))")
            #expect(
                try await Self.count(observer, "SELECT count(*) AS n FROM webhook_events WHERE sweep_runs >= 1")
                    == 10)

            for child in [beat, worker, api.child] { child.signal(SIGTERM) }
            for child in [beat, worker, api.child] { _ = await child.waitForExit(timeout: .seconds(30)) }
            await observer.shutdown()
            await harness.cleanUp()
            await postgres.remove()
        }

        @Test("a task that needs PostgreSQL keeps retrying past its attempts until DATABASE_RETRY_SPAN has passed")
        func retriesSpanTheConfiguredOutage() async throws {
            let harness = try QueueHarness(name: "retry-span")
            // The database is unreachable (nothing listens on port 1): every attempt fails at once.
            let worker = try await harness.startWorker(["DATABASE_RETRY_SPAN": "6", "LOG_FORMAT": "json"])
            let arguments =
                #"{"event_id": "\#(UUID().uuidString.lowercased())", "tenant_id": "\#(UUID().uuidString.lowercased())"}"#
            let ids = try await harness.enqueue(
                "process_webhook_event", args: arguments, extra: ["--max-attempts", "2"])
            let id = try #require(ids.first)
            let ended = await eventually(timeout: .seconds(60), every: .milliseconds(500)) {
                LogLines.taskEnds(worker.output, taskID: id).last?["outcome"] as? String == "dead"
            }
            let ends = LogLines.taskEnds(worker.output, taskID: id)
            #expect(ended, "\(ends.map { $0["outcome"] ?? "" })")
            #expect(ends.count > 2, "attempts: \(ends.count)")
            #expect(ends.dropLast().allSatisfy { $0["outcome"] as? String == "retrying" })
            let times = ends.compactMap { ($0["timestamp"] as? String).flatMap(WorkerReliabilityTests.parseTimestamp) }
            if let first = times.first, let last = times.last {
                // The span is the contract: no failure at or after it is retried, none before it is dead.
                // (A tenth of a second covers the gap between each decision and its log line.)
                #expect(last - first >= 5.9, "dead \(last - first) s after the first failure")
                #expect(times.dropLast().allSatisfy { $0 - first < 6.1 })
            }
            worker.signal(SIGTERM)
            #expect(await worker.waitForExit(timeout: .seconds(30)) == 0)
            await harness.cleanUp()
        }

        /// Counts webhook events across tenants (the maintenance policy admits them).
        static func count(_ pool: PostgresPool, _ sql: String) async throws -> Int {
            try await pool.transaction { connection in
                _ = try connection.query("SELECT set_config('app.maintenance', 'on', true)")
                return try connection.query(sql).first?.decode(Int.self, "n") ?? 0
            }
        }
    }
}
