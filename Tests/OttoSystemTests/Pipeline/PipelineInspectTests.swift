import Foundation
import Logging
import OttoCalls
import OttoPostgres
import OttoRedis
import OttoTasks
import OttoTestSupport
import Testing

/// `otto-worker inspect` and `otto-worker workflow status call_analysis` show the call pipeline
/// as it stands in PostgreSQL and Redis: workflows queued, running and failed (with the failing
/// step and its reason), each tenant's admitted and waiting workflows, each provider's permits in
/// use and its pause. The state is written through the pipeline's own journal, admission and
/// limits, then read by the real binary.
@Suite("otto-worker inspect shows the call pipeline")
struct PipelineInspectTests {
    static let steps = ["fetch", "transcribe", "analyse"]

    @Test("workflows, tenant backlogs and provider limits in inspect --json; a workflow's steps by call id")
    func inspectShowsThePipeline() async throws {
        let database = try await OwnDatabase.create("inspect")
        let redisServer = try OwnRedisServer()
        try await redisServer.start()
        let logger = Logger(label: "otto.tests.inspect")
        let redis = RedisClient(endpoint: try RedisEndpoint(url: redisServer.url), logger: logger)
        let keys = RedisKeys(prefix: "otto:")
        defer { redisServer.stop() }

        let (busy, quiet, failedCall, runningCall) = try await database.withPool { pool in
            let records = TenantRecords(pool: pool)
            let busy = try await records.create(clerkOrgID: "org_inspect_busy", name: "Busy").id
            let quiet = try await records.create(clerkOrgID: "org_inspect_quiet", name: "Quiet").id
            let journal = PostgresWorkflowJournal(pool: pool)
            func begin(_ tenant: String) async throws -> String {
                let call = UUID().uuidString.lowercased()
                _ = try await journal.begin(
                    workflow: CallPipelineWorkflow.name, subjectID: call, tenantID: tenant, steps: Self.steps,
                    fromStep: "fetch", inputJSON: #"{"call_id":"\#(call)"}"#)
                return call
            }
            for _ in 0..<3 { _ = try await begin(busy) }
            let running = try await begin(busy)
            let ref = { (call: String, tenant: String, step: String) in
                WorkflowStepRef(
                    workflow: CallPipelineWorkflow.name, subjectID: call, run: 1, step: step, tenantID: tenant)
            }
            #expect(try await journal.stepStarted(ref(running, busy, "fetch"), attempt: 1))
            let failed = try await begin(quiet)
            #expect(try await journal.stepStarted(ref(failed, quiet, "fetch"), attempt: 1))
            try await journal.stepSucceeded(
                ref(failed, quiet, "fetch"), attempt: 1, outputJSON: "{}", isLast: false)
            #expect(try await journal.stepStarted(ref(failed, quiet, "transcribe"), attempt: 1))
            try await journal.stepFailed(
                ref(failed, quiet, "transcribe"), attempt: 1, reason: "deepgram answered 401", final: true)
            return (busy, quiet, failed, running)
        }

        // Six of the busy tenant's workflows submitted with a per-tenant cap of 4: 4 admitted, 2 waiting.
        let admission = FairAdmission.callPipeline(redis: redis, keys: keys, tenantConcurrency: 4)
        let registry = TaskRegistry()
        for index in 0..<6 {
            let envelope = try TaskEnvelope.first(
                name: "call_analysis.fetch", arguments: #"{"n":\#(index)}"#, options: EnqueueOptions(tenantID: busy),
                registry: registry)
            try await admission.submit(envelope, tenant: busy, holder: "wf:busy-\(index)")
        }
        // Two Deepgram permits held while inspect runs; OpenAI paused as after a 429.
        let deepgram = OutboundLimit(redis: redis, keys: keys, settings: .init(name: "deepgram", concurrency: 7))
        let openAI = OutboundLimit(redis: redis, keys: keys, settings: .init(name: "openai", concurrency: 20))
        try await openAI.pause(for: .seconds(120))
        let release = AsyncStream<Void>.makeStream()
        let held = AsyncStream<Void>.makeStream()
        let holders = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        try await deepgram.withPermit {
                            held.continuation.yield()
                            for await _ in release.stream { break }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        var heldCount = 0
        for await _ in held.stream {
            heldCount += 1
            if heldCount == 2 { break }
        }

        let environment = [
            "REDIS_URL": redisServer.url, "DATABASE_URL": database.url, "DEEPGRAM_CONCURRENCY": "7",
            "PIPELINE_TENANT_CONCURRENCY": "4",
        ]
        let (status, output) = try await ChildProcess.run(
            "otto-worker", ["inspect", "--json"], environment: environment)
        release.continuation.finish()
        try await holders.value
        #expect(status == 0, "\(output)")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(Self.jsonLine(output).utf8)) as? [String: Any], "\(output)")
        #expect(document["queues"] != nil && document["workers"] != nil && document["canary"] != nil)
        let pipeline = try #require(document["pipeline"] as? [String: Any], "\(output)")

        let workflows = try #require(pipeline["workflows"] as? [String: Any], "\(output)")
        #expect(workflows["queued"] as? Int == 3)
        #expect(workflows["running"] as? Int == 1)
        #expect(workflows["failed_last_day"] as? Int == 1)
        #expect((workflows["oldest_unfinished_age_s"] as? Double).map { $0 >= 0 && $0 < 300 } == true)
        let failures = try #require(workflows["recent_failures"] as? [[String: Any]])
        #expect(failures.count == 1)
        #expect(failures.first?["subject_id"] as? String == failedCall)
        #expect(failures.first?["tenant_id"] as? String == quiet)
        #expect(failures.first?["step"] as? String == "transcribe")
        #expect(failures.first?["error"] as? String == "deepgram answered 401")

        let backlogs = try #require(pipeline["backlogs"] as? [[String: Any]])
        #expect(backlogs.count == 1)
        #expect(backlogs.first?["tenant"] as? String == busy)
        #expect(backlogs.first?["active"] as? Int == 4)
        #expect(backlogs.first?["waiting"] as? Int == 2)
        #expect(backlogs.first?["oldest_waiting_at"] is Double)

        let limits = try #require(pipeline["limits"] as? [[String: Any]])
        #expect(limits.map { $0["name"] as? String } == ["deepgram", "openai", "twilio_media"])
        #expect(limits.first?["in_use"] as? Int == 2)
        #expect(limits.first?["concurrency"] as? Int == 7)
        #expect(limits.first?["paused_until"] == nil || limits.first?["paused_until"] is NSNull)
        let pausedUntil = try #require(limits[1]["paused_until"] as? Double)
        #expect(abs(pausedUntil - (Date().timeIntervalSince1970 + 120)) < 30)
        #expect(limits[2]["in_use"] as? Int == 0)

        // The human form says the same.
        let (textStatus, text) = try await ChildProcess.run("otto-worker", ["inspect"], environment: environment)
        #expect(textStatus == 0)
        #expect(text.contains("workflows: 3 queued, 1 running"), "\(text)")
        #expect(text.contains("\(busy)  active=4 waiting=2"), "\(text)")
        #expect(text.contains("deepgram     0/7 in use"), "\(text)")
        #expect(text.contains("openai       0/20 in use paused until"), "\(text)")

        // One workflow by its call id, whichever tenant it is: each step's state and the failure.
        let (statusCode, statusOutput) = try await ChildProcess.run(
            "otto-worker", ["workflow", "status", "call_analysis", "--subject", failedCall, "--json"],
            environment: environment)
        #expect(statusCode == 0, "\(statusOutput)")
        let workflow = try #require(
            try JSONSerialization.jsonObject(with: Data(Self.jsonLine(statusOutput).utf8)) as? [String: Any])
        #expect(workflow["tenant_id"] as? String == quiet)
        #expect(workflow["state"] as? String == "failed")
        let stepStates = (workflow["steps"] as? [[String: Any]])?.map { "\($0["name"] ?? "") \($0["state"] ?? "")" }
        #expect(stepStates == ["fetch succeeded", "transcribe failed", "analyse pending"], "\(statusOutput)")
        let (runningCode, runningText) = try await ChildProcess.run(
            "otto-worker", ["workflow", "status", "call_analysis", "--subject", runningCall], environment: environment)
        #expect(runningCode == 0)
        #expect(runningText.contains("tenant \(busy): running"), "\(runningText)")
        #expect(runningText.contains("fetch: running attempts=1"), "\(runningText)")
        let (unknownCode, unknown) = try await ChildProcess.run(
            "otto-worker", ["workflow", "status", "call_analysis", "--subject", UUID().uuidString, "--json"],
            environment: environment)
        #expect(unknownCode == 0 && Self.jsonLine(unknown) == "null", "\(unknown)")
        await redis.close()
        await database.drop()
    }

    @Test("without DATABASE_URL inspect still shows Redis' side and says why workflows are missing")
    func inspectWithoutDatabase() async throws {
        let redisServer = try OwnRedisServer()
        try await redisServer.start()
        defer { redisServer.stop() }
        let (status, output) = try await ChildProcess.run(
            "otto-worker", ["inspect", "--json"], environment: ["REDIS_URL": redisServer.url])
        #expect(status == 0, "\(output)")
        #expect(output.contains("DATABASE_URL is not set"), "\(output)")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(Self.jsonLine(output).utf8)) as? [String: Any])
        let pipeline = try #require(document["pipeline"] as? [String: Any])
        #expect(pipeline["workflows"] is NSNull)
        #expect((pipeline["limits"] as? [[String: Any]])?.count == 3)
    }

    /// The JSON document among the output's lines (ChildProcess.run merges stderr into it).
    static func jsonLine(_ output: String) -> String {
        output.split(whereSeparator: \.isNewline).map(String.init).last { $0.hasPrefix("{") || $0 == "null" } ?? ""
    }
}
