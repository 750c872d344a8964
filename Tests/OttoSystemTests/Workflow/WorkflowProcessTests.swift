import Foundation
import OttoRedis
import OttoTasks
import OttoTestSupport
import Testing

/// `otto.chain` on real otto-worker processes: the operator commands, a worker killed with
/// SIGKILL in the middle of a step, and a delivery after a crash between a step's journal
/// write and the next step's enqueue.
@Suite("Workflow processes", .serialized)
struct WorkflowProcessTests {
    static func run(_ harness: QueueHarness, _ arguments: [String]) async throws -> (Int32, String) {
        try await ChildProcess.run("otto-worker", ["workflow"] + arguments, environment: harness.environment())
    }

    static func status(_ harness: QueueHarness, _ subject: String) async throws -> [String: Any]? {
        let (code, output) = try await run(harness, ["status", "otto.chain", "--subject", subject, "--json"])
        guard code == 0 else { return nil }
        return try JSONSerialization.jsonObject(with: Data(output.utf8), options: .fragmentsAllowed) as? [String: Any]
    }

    static func steps(_ status: [String: Any]?) -> [[String: Any]] { status?["steps"] as? [[String: Any]] ?? [] }

    static func succeeded(_ harness: QueueHarness, _ subject: String, timeout: Duration = .seconds(60)) async -> Bool {
        await eventually(timeout: timeout, every: .milliseconds(200)) {
            (try? await status(harness, subject))?["state"] as? String == "succeeded"
        }
    }

    @Test("workflow start and status: the chain runs its three steps; a bad start step is refused")
    func operatorCommands() async throws {
        let harness = try QueueHarness(name: "wf-cli")
        let worker = try await harness.startWorker()
        let (code, output) = try await Self.run(
            harness, ["start", "otto.chain", "--subject", "s1", "--input", #"{"tally": "runs"}"#, "--json"])
        #expect(code == 0, "\(output)")
        let ref = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        #expect(ref?["run"] as? Int == 1 && ref?["step"] as? String == "first" && ref?["subject_id"] as? String == "s1")
        #expect(await Self.succeeded(harness, "s1"))
        let status = try await Self.status(harness, "s1")
        #expect(Self.steps(status).map { $0["state"] as? String } == ["succeeded", "succeeded", "succeeded"])
        #expect(Self.steps(status).map { $0["attempts"] as? Int } == [1, 1, 1])
        #expect(try await harness.tally("runs") == ["first": 1, "second": 1, "third": 1])

        let (refused, message) = try await Self.run(
            harness, ["start", "otto.chain", "--subject", "s1", "--from-step", "fourth"])
        #expect(refused == 1)
        #expect(message.contains("unknown step"), "\(message)")
        let (text, human) = try await Self.run(harness, ["status", "otto.chain", "--subject", "s1"])
        #expect(text == 0 && human.contains("otto.chain s1: succeeded (run 1)"), "\(human)")
        worker.signal(SIGTERM)
        #expect(await worker.waitForExit(timeout: .seconds(30)) == 0)
        await harness.cleanUp()
    }

    @Test("kill -9 during a step: after a restart the workflow succeeds, each step once in the journal")
    func killDuringStep() async throws {
        let harness = try QueueHarness(name: "wf-kill")
        let settings = ["WORKER_VISIBILITY_TIMEOUT": "2"]
        let first = try await harness.startWorker(settings)
        let (code, output) = try await Self.run(
            harness, ["start", "otto.chain", "--subject", "k1", "--input", #"{"delay_ms": 1500, "tally": "runs"}"#])
        #expect(code == 0, "\(output)")
        let inSecond = await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
            Self.steps(try? await Self.status(harness, "k1")).dropFirst().first?["state"] as? String == "running"
        }
        #expect(inSecond)
        first.signal(SIGKILL)
        _ = await first.waitForExit(timeout: .seconds(30))
        #expect(try await harness.tally("runs")["third"] == nil, "killed before third")

        let second = try await harness.startWorker(settings)
        #expect(await Self.succeeded(harness, "k1"))
        let status = try await Self.status(harness, "k1")
        #expect(Self.steps(status).map { $0["state"] as? String } == ["succeeded", "succeeded", "succeeded"])
        // The reclaimed delivery is the same attempt: the kill spent none.
        #expect(Self.steps(status).map { $0["attempts"] as? Int } == [1, 1, 1])
        #expect(try await harness.tally("runs") == ["first": 1, "second": 2, "third": 1])
        let thirdEnds = LogLines.parse(second.output).filter {
            $0["task_name"] as? String == "otto.chain.third" && $0["outcome"] as? String == "succeeded"
        }
        #expect(thirdEnds.count == 1, "third was enqueued once")
        second.signal(SIGTERM)
        #expect(await second.waitForExit(timeout: .seconds(30)) == 0)
        await harness.cleanUp()
    }

    @Test("a crash after a step's journal write: its redelivery continues the chain once, never twice")
    func crashBetweenSteps() async throws {
        let harness = try QueueHarness(name: "wf-between")
        let journal = RedisWorkflowJournal(redis: harness.redis, keys: harness.keys)
        // What a worker did before it died: began the workflow, ran first and journaled its
        // output, and never enqueued second (nor acknowledged first).
        let run = try await journal.begin(
            workflow: "otto.chain", subjectID: "b1", tenantID: nil, steps: ["first", "second", "third"],
            fromStep: "first", inputJSON: #"{"tally":"runs"}"#)
        let ref = WorkflowStepRef(workflow: "otto.chain", subjectID: "b1", run: run, step: "first", tenantID: nil)
        #expect(try await journal.stepStarted(ref, attempt: 1))
        try await journal.stepSucceeded(
            ref, attempt: 1, outputJSON: #"{"trail":["first"],"tally":"runs"}"#, isLast: false)
        let message = String(
            decoding: try JSONEncoder().encode(WorkflowMessage(ref: ref, input: #"{"tally":"runs"}"#)), as: UTF8.self)

        let worker = try await harness.startWorker()
        // The redelivery of first (twice: a second claim of the same entry changes nothing).
        for _ in 0..<2 {
            _ = try await harness.enqueue("otto.chain.first", args: message)
            #expect(await Self.succeeded(harness, "b1"))
        }
        let drained = await eventually(timeout: .seconds(15)) {
            LogLines.parse(worker.output).filter {
                $0["task_name"] as? String == "otto.chain.first" && $0["outcome"] as? String == "succeeded"
            }.count == 2
        }
        #expect(drained)
        // first's work was not redone; second and third ran once although first was delivered twice.
        #expect(try await harness.tally("runs") == ["second": 1, "third": 1])
        // And they were enqueued once: the second delivery's dispatch of second met its dedup key.
        for step in ["second", "third"] {
            let ends = LogLines.parse(worker.output).filter { $0["task_name"] as? String == "otto.chain.\(step)" }
            #expect(ends.count == 1, "otto.chain.\(step) ended \(ends.count) times")
        }
        let third = try await journal.output(workflow: "otto.chain", subjectID: "b1", tenantID: nil, step: "third")
        #expect(third?.contains(#"["first","second","third"]"#) == true)
        worker.signal(SIGTERM)
        #expect(await worker.waitForExit(timeout: .seconds(30)) == 0)
        await harness.cleanUp()
    }
}
