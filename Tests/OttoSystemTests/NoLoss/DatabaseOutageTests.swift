import Foundation
import Logging
import OttoCalls
import OttoCore
import OttoPostgres
import OttoProcessKit
import OttoTasks
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
            // The span is the contract, measured from the first failure as the worker recorded it
            // (first_failed_at in the dead letter's envelope): the failure that ended it came at or
            // after the span (the dead letter's entry id is Redis's clock when it was written,
            // after that decision), and every failure retried came before it.
            let letters = try await RedisTaskQueue(redis: harness.redis, keys: harness.keys).deadLetters(
                queue: "default")
            let letter = try #require(letters.first { $0.envelope?.id == id })
            let firstFailure = try #require(letter.envelope?.firstFailedAt)
            let buried = try #require(letter.entryID.split(separator: "-").first.flatMap { Double($0) }) / 1000
            #expect(buried - firstFailure >= 6 - 0.001, "dead \(buried - firstFailure) s after the first failure")
            // A retried failure's line follows its decision by the retry's one Redis call (0.5 ms
            // measured here for the first); a tenth of a second is many times that.
            let retried = ends.dropLast().compactMap {
                ($0["timestamp"] as? String).flatMap(WorkerReliabilityTests.parseTimestamp)
            }
            #expect(retried.count == ends.count - 1)
            #expect(
                retried.allSatisfy { $0 - firstFailure < 6.1 }, "retried at \(retried.map { $0 - firstFailure }) s")
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
