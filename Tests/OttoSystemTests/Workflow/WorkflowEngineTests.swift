import Foundation
import OttoCalls
import OttoRedis
import OttoSupport
import OttoTasks
import OttoTestSupport
import Testing

/// The workflow primitive on real Redis: steps in order, retries per step, final failures,
/// deferrals, restarts from a step and resumes, with real workers running the step tasks.
@Suite("Workflow engine")
struct WorkflowEngineTests {
    typealias Payload = ChainWorkflow.Payload

    static func chainSetup(_ harness: WorkflowHarness) -> (TaskRegistry, WorkflowEngine) {
        var registry = TaskRegistry()
        registry.register(harness.chain, runtime: harness.runtime)
        return (registry, harness.engine(registry: registry, workflows: [ChainWorkflow.descriptor]))
    }

    static func output(_ harness: WorkflowHarness, _ subject: String, _ step: String) async throws -> Payload? {
        guard
            let text = try await harness.journal.output(
                workflow: ChainWorkflow.name, subjectID: subject, tenantID: nil, step: step)
        else { return nil }
        return try JSONDecoder().decode(Payload.self, from: Data(text.utf8))
    }

    @Test("three steps run in order, each on the previous step's output, one attempt each")
    func stepsInOrder() async throws {
        let harness = try WorkflowHarness(name: "wf-order")
        let (registry, engine) = Self.chainSetup(harness)
        let worker = try await harness.startWorker(registry: registry)
        // MUT
        let ref = try await engine.start(
            harness.chain, subjectID: "call-1", tenantID: nil, input: Payload(trail: ["start"], tally: "runs"))
        let status = try await harness.finished(ChainWorkflow.name, "call-1")
        worker.cancel()
        // validate
        #expect(
            ref == WorkflowStepRef(workflow: "otto.chain", subjectID: "call-1", run: 1, step: "first", tenantID: nil))
        #expect(status?.state == .succeeded)
        #expect(status?.steps.map(\.name) == ["first", "second", "third"])
        #expect(status?.steps.map(\.state) == [.succeeded, .succeeded, .succeeded])
        #expect(status?.steps.map(\.attempts) == [1, 1, 1])
        #expect(try await Self.output(harness, "call-1", "first")?.trail == ["start", "first"])
        #expect(try await Self.output(harness, "call-1", "second")?.trail == ["start", "first", "second"])
        #expect(try await Self.output(harness, "call-1", "third")?.trail == ["start", "first", "second", "third"])
        #expect(try await harness.tally("runs") == ["first": 1, "second": 1, "third": 1])
        #expect(try await harness.releases() == ["_|otto.chain:call-1"])
        await harness.cleanUp()
    }

    @Test("a step failing twice then succeeding takes three attempts; the other steps run once")
    func stepRetries() async throws {
        let harness = try WorkflowHarness(name: "wf-retry")
        let (registry, engine) = Self.chainSetup(harness)
        let worker = try await harness.startWorker(registry: registry)
        _ = try await engine.start(
            harness.chain, subjectID: "call-2", tenantID: "tenant-a",
            input: Payload(failStep: "second", failAttempts: 2, tally: "runs"))
        _ = await eventually(timeout: .seconds(30)) {
            (try? await harness.journal.status(workflow: "otto.chain", subjectID: "call-2", tenantID: "tenant-a"))?
                .state == .succeeded
        }
        worker.cancel()
        let status = try await harness.journal.status(workflow: "otto.chain", subjectID: "call-2", tenantID: "tenant-a")
        #expect(status?.state == .succeeded)
        #expect(status?.steps.map(\.attempts) == [1, 3, 1])
        #expect(status?.steps[1].error?.contains("asked to fail") == true, "the last failure's reason is kept")
        #expect(try await harness.tally("runs") == ["first": 1, "second": 3, "third": 1])
        #expect(try await harness.releases() == ["tenant-a|otto.chain:call-2"])
        await harness.cleanUp()
    }

    @Test("a final failure fails the workflow with its reason, leaves later steps pending and frees the slot")
    func finalFailure() async throws {
        let harness = try WorkflowHarness(name: "wf-fail")
        let (registry, engine) = Self.chainSetup(harness)
        let worker = try await harness.startWorker(registry: registry)
        _ = try await engine.start(
            harness.chain, subjectID: "call-3", tenantID: nil, input: Payload(failStep: "second", tally: "runs"))
        let status = try await harness.finished(ChainWorkflow.name, "call-3")
        // Released exactly once, when the failure was final (not at each retry).
        _ = await eventually(timeout: .seconds(5)) { (try? await harness.releases())?.isEmpty == false }
        worker.cancel()
        #expect(status?.state == .failed)
        #expect(status?.steps.map(\.state) == [.succeeded, .failed, .pending])
        #expect(status?.steps.map(\.attempts) == [1, 3, 0])
        #expect(status?.steps[1].error?.contains("otto.chain.second was asked to fail") == true)
        #expect(try await harness.tally("runs") == ["first": 1, "second": 3])
        #expect(try await harness.releases() == ["_|otto.chain:call-3"])
        await harness.cleanUp()
    }

    @Test("a step with one attempt deferred three times still succeeds, no attempt spent")
    func deferralSpendsNoAttempt() async throws {
        let harness = try WorkflowHarness(name: "wf-defer")
        var registry = TaskRegistry()
        let workflow = DeferringStep.workflow(harness, deferrals: 3)
        registry.register(workflow, runtime: harness.runtime)
        let engine = harness.engine(registry: registry, workflows: [workflow.descriptor])
        let worker = try await harness.startWorker(registry: registry)
        _ = try await engine.start(workflow, subjectID: "call-4", tenantID: nil, input: ["in"])
        let status = try await harness.finished(workflow.name, "call-4")
        worker.cancel()
        #expect(status?.state == .succeeded)
        #expect(status?.steps.map(\.attempts) == [1], "deferrals are not attempts")
        #expect(status?.steps.first?.deferredUntil == nil, "a success clears the deferral")
        #expect(try await harness.tally("deferring") == ["wait": 4, "deferrals-seen": 3])
        let output = try await harness.journal.output(
            workflow: workflow.name, subjectID: "call-4", tenantID: nil, step: "wait")
        #expect(output == #"["in","wait"]"#)
        await harness.cleanUp()
    }

    @Test("past the deferral span a deferral counts as a failed attempt: the one-attempt step fails")
    func deferralSpanEnds() async throws {
        let harness = try WorkflowHarness(name: "wf-span")
        var registry = TaskRegistry()
        let workflow = DeferringStep.workflow(harness, deferrals: Int.max)
        registry.register(workflow, runtime: harness.runtime)
        let engine = harness.engine(registry: registry, workflows: [workflow.descriptor])
        let worker = try await harness.startWorker(registry: registry, deferralSpan: .milliseconds(600))
        _ = try await engine.start(workflow, subjectID: "call-5", tenantID: nil, input: ["in"])
        let status = try await harness.finished(workflow.name, "call-5")
        _ = await eventually(timeout: .seconds(5)) { (try? await harness.releases())?.isEmpty == false }
        worker.cancel()
        #expect(status?.state == .failed)
        #expect(status?.steps.first?.state == .failed)
        #expect(status?.steps.first?.attempts == 1)
        #expect(status?.steps.first?.error?.contains("provider busy") == true)
        #expect((try await harness.tally("deferring")["wait"] ?? 0) >= 3, "deferred several times first")
        #expect(try await harness.releases() == ["_|test.defer:call-5"])
        // The dead letter keeps the attempt: deferrals never incremented it.
        let dead = try await RedisTaskQueue(redis: harness.redis, keys: harness.keys).deadLetters(queue: "default")
        #expect(dead.count == 1)
        #expect(dead.first?.envelope?.attempt == 1)
        #expect((dead.first?.envelope?.deferrals ?? 0) >= 2)
        await harness.cleanUp()
    }

    @Test("a restart from second keeps first's output and reruns second and third; a run-1 task does nothing")
    func restartFromStep() async throws {
        let harness = try WorkflowHarness(name: "wf-restart")
        let (registry, engine) = Self.chainSetup(harness)
        var worker = try await harness.startWorker(registry: registry)
        _ = try await engine.start(harness.chain, subjectID: "call-6", tenantID: nil, input: Payload(tally: "runs"))
        let first = try await harness.finished(ChainWorkflow.name, "call-6")
        #expect(first?.state == .succeeded)
        worker.cancel()
        _ = await worker.value
        let firstOutput = try await Self.output(harness, "call-6", "first")

        // A run-1 task still queued (a retry of run 1's second step), then the restart.
        let stale = try Self.staleSecond(harness, subject: "call-6", input: firstOutput)
        try await DirectAdmission(redis: harness.redis, keys: harness.keys).enqueue(stale)
        let ref = try await engine.start(
            harness.chain, subjectID: "call-6", tenantID: nil, input: Payload(), fromStep: "second")
        #expect(ref.run == 2 && ref.step == "second")
        let queued = try await harness.status(ChainWorkflow.name, "call-6")
        #expect(queued?.state == .queued && queued?.run == 2)
        #expect(queued?.steps.map(\.state) == [.succeeded, .pending, .pending])

        worker = try await harness.startWorker(registry: registry)
        let second = try await harness.finished(ChainWorkflow.name, "call-6")
        let staleDone = await eventually(timeout: .seconds(15)) {
            (try? await TaskStateStore(redis: harness.redis, keys: harness.keys).record(id: stale.id))?.state
                == .succeeded
        }
        worker.cancel()
        #expect(second?.state == .succeeded && second?.run == 2)
        #expect(second?.steps.map(\.attempts) == [1, 1, 1])
        #expect(second?.steps.first?.finishedAt == first?.steps.first?.finishedAt, "first was not run again")
        #expect(try await Self.output(harness, "call-6", "first") == firstOutput)
        #expect(try await Self.output(harness, "call-6", "third")?.trail == ["first", "second", "third"])
        #expect(staleDone, "the run-1 task was delivered")
        let staleRecord = try await TaskStateStore(redis: harness.redis, keys: harness.keys).record(id: stale.id)
        #expect(staleRecord?.result == #""superseded""#)
        #expect(try await harness.tally("runs") == ["first": 1, "second": 2, "third": 2], "run 1's task ran nothing")
        await harness.cleanUp()
    }

    /// The envelope of run 1's `second` step, as a retry of it would still be queued.
    static func staleSecond(_ harness: WorkflowHarness, subject: String, input: Payload?) throws -> TaskEnvelope {
        let ref = WorkflowStepRef(
            workflow: ChainWorkflow.name, subjectID: subject, run: 1, step: "second", tenantID: nil)
        let message = WorkflowMessage(
            ref: ref, input: String(decoding: try JSONEncoder().encode(input ?? Payload()), as: UTF8.self))
        // A retry of it: the catalog's defaults, its state kept so the test sees what it did.
        return try RedisTaskQueue(redis: harness.redis, keys: harness.keys).makeEnvelope(
            name: "otto.chain.second", arguments: String(decoding: try JSONEncoder().encode(message), as: UTF8.self),
            options: EnqueueOptions(resultTTL: 600))
    }

    @Test("an unknown step, a missing input and an unknown workflow are refused and change nothing")
    func refusedStarts() async throws {
        let harness = try WorkflowHarness(name: "wf-refused")
        let (_, engine) = Self.chainSetup(harness)
        await #expect(throws: WorkflowError(.unknownStep, detail: "otto.chain has no step fourth")) {
            _ = try await engine.start(
                harness.chain, subjectID: "call-7", tenantID: nil, input: Payload(), fromStep: "fourth")
        }
        await #expect {
            _ = try await engine.start(
                harness.chain, subjectID: "call-7", tenantID: nil, input: Payload(), fromStep: "second")
        } throws: { ($0 as? WorkflowError)?.code == .missingInput }
        await #expect {
            _ = try await engine.start(
                workflow: "otto.chain", subjectID: "call-7", tenantID: nil, inputJSON: nil, fromStep: nil,
                traceparent: nil)
        } throws: { ($0 as? WorkflowError)?.code == .missingInput }
        await #expect {
            _ = try await engine.start(
                workflow: "otto.nothing", subjectID: "call-7", tenantID: nil, inputJSON: "{}", fromStep: nil,
                traceparent: nil)
        } throws: { ($0 as? WorkflowError)?.code == .unknownWorkflow }
        #expect(try await harness.status(ChainWorkflow.name, "call-7") == nil)
        let depth = try await harness.redis.send(["XLEN", harness.keys.stream("default")]).int
        #expect(depth == 0, "nothing was enqueued")
        // The journal refuses the same on its own (a begin that bypasses the engine).
        await #expect {
            _ = try await harness.journal.begin(
                workflow: "otto.chain", subjectID: "call-7", tenantID: nil, steps: ["first", "second", "third"],
                fromStep: "third", inputJSON: nil)
        } throws: { ($0 as? WorkflowError)?.code == .missingInput }
        await harness.cleanUp()
    }

    @Test("resume re-enqueues the first unfinished step of a workflow whose task Redis lost")
    func resumeAfterLoss() async throws {
        let harness = try WorkflowHarness(name: "wf-resume")
        let (registry, engine) = Self.chainSetup(harness)
        _ = try await engine.start(harness.chain, subjectID: "call-8", tenantID: nil, input: Payload(tally: "runs"))
        // The task is lost (a Redis failover without persistence): only the journal knows.
        _ = try await harness.redis.send(["DEL", harness.keys.stream("default")])
        let ref = try await engine.resume(workflow: ChainWorkflow.name, subjectID: "call-8", tenantID: nil)
        #expect(ref?.step == "first" && ref?.run == 1)
        let worker = try await harness.startWorker(registry: registry)
        let status = try await harness.finished(ChainWorkflow.name, "call-8")
        worker.cancel()
        #expect(status?.state == .succeeded)
        #expect(try await harness.tally("runs") == ["first": 1, "second": 1, "third": 1])
        #expect(try await engine.resume(workflow: ChainWorkflow.name, subjectID: "call-8", tenantID: nil) == nil)
        await harness.cleanUp()
    }

    @Test("a step past its time limit is a failed attempt with its reason; after the last, the workflow fails")
    func timeLimitFailsTheStep() async throws {
        let harness = try WorkflowHarness(name: "wf-limit")
        var registry = TaskRegistry()
        let workflow = Workflow(name: "test.slow", first: SlowStep(redis: harness.redis, keys: harness.keys))
        registry.register(workflow, runtime: harness.runtime)
        let engine = harness.engine(registry: registry, workflows: [workflow.descriptor])
        let worker = try await harness.startWorker(registry: registry)
        _ = try await engine.start(workflow, subjectID: "call-7", tenantID: nil, input: ["in"])
        let status = try await harness.finished(workflow.name, "call-7", timeout: .seconds(20))
        _ = await eventually(timeout: .seconds(5)) { (try? await harness.releases())?.isEmpty == false }
        worker.cancel()
        #expect(status?.state == .failed, "\(String(describing: status))")
        #expect(status?.steps.first?.state == .failed)
        #expect(status?.steps.first?.attempts == 2)
        #expect(status?.steps.first?.error?.contains("time limit") == true, "\(String(describing: status))")
        #expect(try await harness.tally("slow") == ["sleep": 2])
        #expect(try await harness.releases() == ["_|test.slow:call-7"])
        await harness.cleanUp()
    }
}

/// A one-step workflow whose step (two attempts, a one-second time limit) sleeps for a minute,
/// counting its runs in the harness's `slow` hash.
struct SlowStep: WorkflowStep {
    static let name = "sleep"
    static var retryPolicy: RetryPolicy { RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(100)) }
    static var timeLimit: Duration { .seconds(1) }

    let redis: RedisClient
    let keys: RedisKeys

    func run(_ input: [String], context: WorkflowContext) async throws -> [String] {
        _ = try await redis.send(["HINCRBY", keys.prefix + "slow", "sleep", "1"])
        try await Task.sleep(for: .seconds(60))
        return input
    }
}

/// A one-step workflow whose step (one attempt) defers its first `deferrals` runs, counting
/// runs and the deferrals it saw in the harness's `deferring` hash.
struct DeferringStep: WorkflowStep {
    static let name = "wait"
    static var retryPolicy: RetryPolicy { RetryPolicy(maxAttempts: 1) }

    let redis: RedisClient
    let keys: RedisKeys
    let deferrals: Int

    static func workflow(_ harness: WorkflowHarness, deferrals: Int) -> Workflow<[String], [String]> {
        Workflow(
            name: "test.defer", first: DeferringStep(redis: harness.redis, keys: harness.keys, deferrals: deferrals))
    }

    func run(_ input: [String], context: WorkflowContext) async throws -> [String] {
        _ = try await redis.send(["HINCRBY", keys.prefix + "deferring", "wait", "1"])
        if context.deferrals < deferrals {
            throw TaskDeferral(delay: .milliseconds(100), reason: "provider busy")
        }
        _ = try await redis.send(["HSET", keys.prefix + "deferring", "deferrals-seen", String(context.deferrals)])
        return input + ["wait"]
    }
}
