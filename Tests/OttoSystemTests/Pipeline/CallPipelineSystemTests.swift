import Foundation
import Logging
import OttoCalls
import OttoPostgres
import OttoRedis
import OttoTestSupport
import Testing

extension NoLossSystemTests {
    /// The call pipeline end to end, with real processes: otto-api receives the recording
    /// callbacks the stand-in delivers (signed as Twilio signs them), otto-worker runs the
    /// workflows against the provider stand-ins, PostgreSQL and Redis are real.
    @Suite("The call pipeline end to end", .serialized)
    struct CallPipelineSystemTests {
        /// Everything a pipeline run needs, started and stopped together.
        final class Stack: Sendable {
            let database: OwnDatabase
            let redis: OwnRedisServer
            let standIn: StandIn
            let api: APIProcess
            let environment: [String: String]

            init(_ label: String, extra: [String: String] = [:]) async throws {
                database = try await OwnDatabase.create(label)
                redis = try OwnRedisServer()
                try await redis.start()
                standIn = try await StandIn.start()
                try await standIn.post("/_standin/config", ["twilio_auth_token": APIProcess.twilioToken])
                var environment = [
                    "DATABASE_URL": database.url, "REDIS_URL": redis.url, "ENABLE_CELERY": "true",
                    "TWILIO_ACCOUNT_SID": StandInCredentials.twilioAccount,
                    "DEEPGRAM_API_KEY": StandInCredentials.deepgramKey, "DEEPGRAM_BASE_URL": standIn.baseURL,
                    "OPENAI_API_KEY": StandInCredentials.openAIKey, "OPENAI_BASE_URL": standIn.baseURL,
                    "CALLRAIL_API_KEY": StandInCredentials.callRailKey, "CALLRAIL_BASE_URL": standIn.baseURL,
                    "CLERK_JWT_KEY": TestTokens.publicKeyPEM, "CLERK_PUBLISHABLE_KEY": TestTokens.publishableKey,
                    "CLERK_SECRET_KEY": "sk_test_pipelinesecret0001", "PROVIDER_REQUEST_TIMEOUT": "30",
                    "WORKER_CONCURRENCY": "8", "DEEPGRAM_CONCURRENCY": "3", "WORKER_VISIBILITY_TIMEOUT": "5",
                ]
                environment.merge(extra) { _, new in new }
                api = try await APIProcess(environment: environment)
                self.environment = api.environment
            }

            func worker(_ extra: [String: String] = [:]) throws -> ChildProcess {
                let child = ChildProcess(
                    binary: "otto-worker", environment: environment.merging(extra) { _, new in new })
                try child.start()
                return child
            }

            /// A Twilio recording the stand-in serves, its status callback delivered to otto-api;
            /// answers otto-api's status.
            func deliverRecording(tenant: String, channels: Int, duration: Int) async throws -> Int {
                let answer = try await standIn.post(
                    "/_standin/recordings",
                    [
                        "duration": duration, "channels": channels, "basic_auth": true,
                        "callback_url": api.baseURL + "/webhooks/twilio/\(tenant)/recording", "deliver": true,
                    ])
                let callback = answer["callback"] as? [String: Any]
                let delivery = callback?["delivery"] as? [String: Any]
                return delivery?["status"] as? Int ?? 0
            }

            /// Redis' count of commands processed so far.
            func redisCommands() async throws -> Int {
                let client = RedisClient(endpoint: try RedisEndpoint(url: redis.url), logger: Logger(label: "test"))
                defer { Task { await client.close() } }
                let info = try await client.send(["INFO", "stats"]).string ?? ""
                let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("total_commands_processed:") }
                return line.flatMap { Int($0.split(separator: ":")[1]) } ?? 0
            }

            /// Each step's name, state, attempts and last error, for a failure's message.
            func steps() async throws -> [String] {
                try await database.withPool { pool in
                    try await pool.transaction { connection in
                        _ = try connection.query("SELECT set_config('app.maintenance', 'on', true)")
                        return try connection.query(
                            "SELECT step || ' ' || state || ' ' || attempts || ' ' || coalesce(last_error, '') AS line FROM workflow_steps ORDER BY position"
                        ).map { try $0.decode(String.self, "line") }
                    }
                }
            }

            /// Milliseconds from each recording's arrival to its call's analysis, for one tenant.
            func timesToAnalysis(_ tenant: String) async throws -> [Double] {
                try await database.withPool { pool in
                    try await TenantScope.transaction(pool, tenantID: tenant) { connection in
                        try connection.query(
                            """
                            SELECT (extract(epoch FROM a.created_at - r.received_at) * 1000)::float8 AS ms
                            FROM analyses a JOIN recordings r ON r.call_id = a.call_id
                            """
                        ).map { try $0.decode(Double.self, "ms") }
                    }
                }
            }

            func analysed(_ tenants: [String]) async throws -> Int {
                var total = 0
                for tenant in tenants {
                    total += try await database.count("SELECT count(*) AS n FROM analyses", tenant: tenant)
                }
                return total
            }

            func stop(_ workers: [ChildProcess]) async {
                for worker in workers where worker.process.isRunning { worker.signal(SIGTERM) }
                for worker in workers { _ = await worker.waitForExit(timeout: .seconds(30)) }
                api.child.signal(SIGTERM)
                _ = await api.child.waitForExit(timeout: .seconds(30))
                await standIn.stop()
                await redis.shutdown()
                await database.drop()
            }
        }

        @Test(
            "one signed recording: fetched, transcribed and analysed; the API serves the transcript, the analysis and the workflow"
        )
        func oneCall() async throws {
            let stack = try await Stack("pipeline_one")
            let org = "org_pipeline_\(UUID().uuidString.prefix(8))"
            let tenant = try await stack.api.createTenant(clerkOrg: org)
            let worker = try stack.worker()
            #expect(try await stack.deliverRecording(tenant: tenant, channels: 2, duration: 42) == 200)
            let done = await eventually(timeout: .seconds(180), every: .milliseconds(250)) {
                (try? await stack.analysed([tenant])) == 1
            }
            #expect(done, "not analysed: \(worker.output.suffix(3000))")
            if ProcessInfo.processInfo.environment["OTTO_PIPELINE_TRACE"] != nil {
                for line in worker.output.split(separator: "\n")
                where line.contains("retrying") || line.contains("warning") {
                    print("worker: \(line.prefix(600))")
                }
            }
            #expect(try await stack.database.count("SELECT count(*) AS n FROM transcripts", tenant: tenant) == 1)
            let firstTries = try await stack.database.count(
                "SELECT count(*) AS n FROM workflow_steps WHERE state = 'succeeded' AND attempts = 1")
            let steps = try await stack.steps()
            #expect(firstTries == 3, "steps: \(steps); worker: \(worker.output.suffix(4000))")
            #expect(
                try await stack.database.count(
                    "SELECT count(*) AS n FROM usage_daily WHERE transcriptions = 1 AND analyses = 1 AND audio_seconds > 0"
                )
                    == 1)
            // The tenant API serves what the pipeline stored.
            let token = try await TestTokens.make(org: org)
            let auth = ["Authorization": "Bearer \(token)"]
            let list = try await stack.api.request("GET", "/v1/calls", headers: auth)
            let callID = try #require(
                ((try JSONSerialization.jsonObject(with: Data(list.body.utf8)) as? [String: Any])?["data"]
                    as? [[String: Any]])?.first?["id"] as? String, "\(list)")
            let call = try await stack.api.request("GET", "/v1/calls/\(callID)", headers: auth)
            let workflow =
                (try JSONSerialization.jsonObject(with: Data(call.body.utf8)) as? [String: Any])?["workflow"]
                as? [String: Any]
            #expect(workflow?["state"] as? String == "succeeded", "\(call.body)")
            #expect(
                (workflow?["steps"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
                    == CallPipelineWorkflow.steps)
            let transcript = try await stack.api.request("GET", "/v1/calls/\(callID)/transcript", headers: auth)
            #expect(transcript.status == 200 && transcript.body.contains("\"utterances\""), "\(transcript)")
            let analysis = try await stack.api.request("GET", "/v1/calls/\(callID)/analysis", headers: auth)
            #expect(analysis.status == 200 && analysis.body.contains("\"lead_score\""), "\(analysis)")
            let usage = try await stack.api.request("GET", "/v1/usage", headers: auth)
            #expect(usage.status == 200 && usage.body.contains("\"transcriptions\":1"), "\(usage)")

            // Reprocess from the analysis: the analysis is replaced, never duplicated, in run 2.
            let before = try await stack.database.count(
                "SELECT (extract(epoch FROM updated_at) * 1000)::bigint AS n FROM analyses",
                tenant: tenant)
            let reprocess = try await stack.api.request(
                "POST", "/v1/calls/\(callID)/reprocess",
                headers: auth.merging(["Content-Type": "application/json"]) { $1 }, body: #"{"from_step": "analyse"}"#)
            #expect(reprocess.status == 202, "\(reprocess)")
            let rerun = await eventually(timeout: .seconds(180), every: .milliseconds(250)) {
                (try? await stack.database.count(
                    "SELECT count(*) AS n FROM workflows WHERE run = 2 AND state = 'succeeded'")) == 1
            }
            #expect(rerun, "\(worker.output.suffix(3000))")
            #expect(try await stack.database.count("SELECT count(*) AS n FROM analyses", tenant: tenant) == 1)
            #expect(try await stack.database.count("SELECT count(*) AS n FROM transcripts", tenant: tenant) == 1)
            let after = try await stack.database.count(
                "SELECT (extract(epoch FROM updated_at) * 1000)::bigint AS n FROM analyses",
                tenant: tenant)
            #expect(after > before)
            #expect(
                try await stack.database.count(
                    "SELECT count(*) AS n FROM usage_daily WHERE analyses = 2 AND transcriptions = 1")
                    == 1)
            let openAI = try await stack.standIn.requests("openai")
            #expect(openAI.count == 2)
            #expect(try await stack.standIn.requests("deepgram").count == 1)

            let violations = try await stack.standIn.violations()
            #expect(violations.isEmpty, "stand-in violations:\n\(violations.joined(separator: "\n"))")
            await stack.stop([worker])
        }

        @Test(
            "200 signed recordings across 5 tenants: each call transcribed and analysed once, through a worker kill -9 and a 30-second Deepgram outage"
        )
        func everyCallOnceThroughFaults() async throws {
            let stack = try await Stack("pipeline_e2e")
            var tenants: [String] = []
            for _ in 0..<5 { tenants.append(try await stack.api.createTenant()) }
            var workers = [try stack.worker()]
            let commandsBefore = try await stack.redisCommands()
            for index in 0..<200 {
                let status = try await stack.deliverRecording(
                    tenant: tenants[index % 5], channels: index % 2 == 0 ? 2 : 1, duration: 20 + index % 90)
                #expect(status == 200, "recording callback \(index): HTTP \(status)")
                if index == 60 {
                    // kill -9 with steps in flight; a new worker claims what the dead one held.
                    workers[0].signal(SIGKILL)
                    _ = await workers[0].waitForExit(timeout: .seconds(10))
                    workers[0] = try stack.worker()
                }
                if index == 100 {
                    try await stack.standIn.fault(["provider": "deepgram", "fault": "outage", "seconds": 30])
                }
                if index == 150 {
                    try await stack.standIn.fault([
                        "provider": "openai", "fault": "status", "status": 429, "retry_after": 2, "count": 5,
                    ])
                }
            }
            let done = await eventually(timeout: .seconds(600), every: .seconds(1)) {
                (try? await stack.analysed(tenants)) == 200
            }
            let analysed = try await stack.analysed(tenants)
            #expect(done, "analysed \(analysed) of 200")
            for tenant in tenants {
                #expect(try await stack.database.count("SELECT count(*) AS n FROM transcripts", tenant: tenant) == 40)
                #expect(try await stack.database.count("SELECT count(*) AS n FROM analyses", tenant: tenant) == 40)
                #expect(try await stack.database.count("SELECT count(*) AS n FROM recordings", tenant: tenant) == 40)
            }
            #expect(
                try await stack.database.count(
                    "SELECT count(*) AS n FROM workflows WHERE state = 'succeeded' AND run = 1") == 200)
            #expect(
                try await stack.database.count(
                    "SELECT count(*) AS n FROM workflow_steps WHERE state = 'succeeded'") == 600)
            // The outage and the 429s deferred steps without spending their attempts: nothing
            // failed, no step needed a second attempt (a step re-run after the kill keeps its attempt).
            let stats = try await stack.standIn.get("/_standin/stats")
            let deepgram = stats["deepgram"] as? [String: Any] ?? [:]
            let openAI = stats["openai"] as? [String: Any] ?? [:]
            #expect(((deepgram["by_status"] as? [String: Any])?["503"] as? Int ?? 0) > 0, "\(deepgram)")
            #expect(((openAI["by_status"] as? [String: Any])?["429"] as? Int ?? 0) == 5, "\(openAI)")
            #expect(try await stack.database.count("SELECT count(*) AS n FROM workflow_steps WHERE attempts > 1") == 0)
            // The shared limit held across both workers (DEEPGRAM_CONCURRENCY=3).
            #expect((deepgram["max_concurrency"] as? Int ?? 99) <= 3, "\(deepgram)")
            let commands = try await stack.redisCommands() - commandsBefore
            print(
                "pipeline e2e: \(deepgram["requests"] ?? 0) Deepgram and \(openAI["requests"] ?? 0) OpenAI requests for 200 calls; about \(commands / 200) Redis commands per call"
            )
            #expect(try await stack.database.count("SELECT count(*) AS n FROM workflows WHERE state = 'failed'") == 0)
            let violations = try await stack.standIn.violations()
            #expect(violations.isEmpty, "stand-in violations:\n\(violations.joined(separator: "\n"))")
            await stack.stop(workers)
        }

        @Test(
            "a recording stored while tasks ran in-process (ENABLE_CELERY=false) is analysed once a worker runs: the sweep resumes its workflow from PostgreSQL"
        )
        func sweepResumesWhatRedisNeverHad() async throws {
            let stack = try await Stack("pipeline_sweep", extra: ["ENABLE_CELERY": "false"])
            let tenant = try await stack.api.createTenant()
            #expect(try await stack.deliverRecording(tenant: tenant, channels: 1, duration: 25) == 200)
            // The API processed the event itself: the workflow is begun in PostgreSQL, never enqueued.
            let queued = await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
                (try? await stack.database.count("SELECT count(*) AS n FROM workflows WHERE state = 'queued'")) == 1
            }
            #expect(queued)
            let worker = try stack.worker(["ENABLE_CELERY": "true", "PIPELINE_SWEEP_AFTER": "5"])
            let done = await eventually(timeout: .seconds(90), every: .milliseconds(250)) {
                (try? await stack.analysed([tenant])) == 1
            }
            #expect(done, "\(worker.output.suffix(3000))")
            #expect(worker.output.contains("call pipeline sweep resumed stalled workflows"))
            #expect(
                try await stack.database.count(
                    "SELECT count(*) AS n FROM workflows WHERE state = 'succeeded' AND run = 1") == 1)
            await stack.stop([worker])
        }

        @Test(
            "one tenant's burst of 2,000 calls beside 4 tenants sending one call a second: the small tenants' p99 time to analysis stays within a few pipeline runs"
        )
        func burstDoesNotStarveSmallTenants() async throws {
            let stack = try await Stack(
                "pipeline_burst",
                extra: [
                    "WORKER_CONCURRENCY": "16", "PIPELINE_TENANT_CONCURRENCY": "4", "RATE_LIMIT_WEBHOOKS": "100000/1m",
                ])
            let big = try await stack.api.createTenant()
            var small: [String] = []
            for _ in 0..<4 { small.append(try await stack.api.createTenant()) }
            let workers = [try stack.worker()]

            // The idle pipeline's time for one call, measured first in this run: the unit the
            // small tenants' latency under the burst is judged in.
            for tenant in small {
                #expect(try await stack.deliverRecording(tenant: tenant, channels: 2, duration: 30) == 200)
            }
            #expect(
                await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
                    (try? await stack.analysed(small)) == 4
                })
            var idle: [Double] = []
            for tenant in small { idle += try await stack.timesToAnalysis(tenant) }
            let unit = idle.sorted()[idle.count / 2]

            // The burst: 2,000 recordings of one tenant, 16 deliveries at a time.
            let burst = Task {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<2000 {
                        if index >= 16, let status = try await group.next() { #expect(status == 200) }
                        group.addTask { try await stack.deliverRecording(tenant: big, channels: 1, duration: 30) }
                    }
                    for try await status in group { #expect(status == 200) }
                }
            }
            // Meanwhile each small tenant sends one call a second, until the burst is analysed.
            var rounds = 0
            while (try await stack.database.count("SELECT count(*) AS n FROM analyses", tenant: big)) < 2000,
                rounds < 600
            {
                for tenant in small {
                    #expect(try await stack.deliverRecording(tenant: tenant, channels: 2, duration: 30) == 200)
                }
                rounds += 1
                try await Task.sleep(for: .seconds(1))
            }
            try await burst.value
            let all = await eventually(timeout: .seconds(180), every: .milliseconds(250)) {
                (try? await stack.analysed(small)) == 4 + 4 * rounds
            }
            let smallAnalysed = try await stack.analysed(small)
            #expect(all, "small tenants' calls analysed: \(smallAnalysed) of \(4 + 4 * rounds)")
            #expect(try await stack.database.count("SELECT count(*) AS n FROM analyses", tenant: big) == 2000)

            var during: [Double] = []
            for tenant in small { during += try await stack.timesToAnalysis(tenant) }
            during = during.sorted()
            let p99 = during[min(during.count - 1, Int(Double(during.count) * 0.99))]
            let bigTimes = try await stack.timesToAnalysis(big).sorted()
            let bigP99 = bigTimes[min(bigTimes.count - 1, Int(Double(bigTimes.count) * 0.99))]
            print(
                "pipeline burst: one idle call \(Int(unit)) ms; small tenants' p99 \(Int(p99)) ms over \(during.count) calls in \(rounds) s; the burst tenant's p99 \(Int(bigP99)) ms"
            )
            #expect(rounds >= 10, "the burst was too short to measure the small tenants beside it")
            // Within a few pipeline runs of the idle one (about 7 here on a loaded machine; without
            // the per-tenant cap about 250), while the burst's own calls waited far longer.
            #expect(p99 <= unit * 25, "small tenants' p99 \(p99) ms against an idle call's \(unit) ms")
            #expect(bigP99 > p99 * 3, "the burst built no backlog (its p99 \(bigP99) ms)")
            let violations = try await stack.standIn.violations()
            #expect(violations.isEmpty, "stand-in violations:\n\(violations.joined(separator: "\n"))")
            await stack.stop(workers)
        }
    }
}
