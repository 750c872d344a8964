import Foundation
import Logging
import NIOConcurrencyHelpers
import Testing

@testable import OttoTasks

/// Deferrals (``TaskDeferral``) in the envelope and the runners' decisions, and the step
/// message's JSON: what workers of every release read.
@Suite("Workflow deferrals")
struct WorkflowDeferralTests {
    static let earlier = #"""
        {"id":"6f1c2b8e-3a4d-4c5e-9f10-2b3c4d5e6f70","name":"otto.ping","args":"{}","queue":"default","attempt":2,
        "max_attempts":5,"enqueued_at":1700000000.123,"due_at":1700000004.5,"time_limit":300,"last_error":"boom"}
        """#

    @Test("an envelope of an earlier release decodes without deferrals; the new fields use snake_case")
    func envelopeFields() throws {
        var envelope = try TaskEnvelope.decode(Self.earlier)
        #expect(envelope.deferrals == nil && envelope.firstDeferredAt == nil && envelope.attempt == 2)
        envelope.deferrals = 3
        envelope.firstDeferredAt = 1_700_000_002.5
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(envelope.encoded().utf8)) as? [String: Any])
        #expect(object["deferrals"] as? Int == 3)
        #expect(object["first_deferred_at"] as? Double == 1_700_000_002.5)
        #expect(try TaskEnvelope.decode(envelope.encoded()) == envelope)
    }

    @Test("a deferral keeps the attempt, counts itself, keeps the first deferral's time and caps its delay")
    func deferredEnvelope() throws {
        let envelope = try TaskEnvelope.decode(Self.earlier)
        let once = TaskExecutor.deferred(envelope, TaskDeferral(delay: .seconds(30), reason: "429"), now: 1000)
        #expect(once.attempt == 2 && once.deferrals == 1 && once.firstDeferredAt == 1000)
        #expect(once.dueAt == 1030 && once.lastError == "429")
        let twice = TaskExecutor.deferred(once, TaskDeferral(delay: .seconds(7200), reason: "outage"), now: 1040)
        #expect(twice.attempt == 2 && twice.deferrals == 2 && twice.firstDeferredAt == 1000)
        #expect(twice.dueAt == 1040 + RetryPolicy.ceiling.inSeconds, "capped at the retry ceiling")
    }

    @Test("the plan: a deferral stays one until the span passes; a failure retries while attempts remain")
    func plan() throws {
        var envelope = try TaskEnvelope.decode(Self.earlier)
        envelope.maxAttempts = 2
        let policy = RetryPolicy(maxAttempts: 2)
        let fresh = TaskExecutor.plan(
            envelope, policy: policy, now: 1000, outageSpan: .seconds(900), deferralSpan: .seconds(60))
        #expect(fresh.canDefer && !fresh.willRetry, "attempt 2 of 2: a failure is final")
        envelope.attempt = 1
        envelope.firstDeferredAt = 950
        let within = TaskExecutor.plan(
            envelope, policy: policy, now: 1000, outageSpan: .seconds(900), deferralSpan: .seconds(60))
        #expect(within.canDefer && within.willRetry)
        let past = TaskExecutor.plan(
            envelope, policy: policy, now: 1011, outageSpan: .seconds(900), deferralSpan: .seconds(60))
        #expect(!past.canDefer)
    }

    @Test("the step message carries the ref and the input as JSON text")
    func messageShape() throws {
        let ref = WorkflowStepRef(
            workflow: "call_analysis", subjectID: "c1", run: 2, step: "transcribe", tenantID: "t1")
        let text = try TaskJSON.encode(WorkflowMessage(ref: ref, input: #"{"a":1}"#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["input"] as? String == #"{"a":1}"#)
        let encodedRef = object["ref"] as? [String: Any]
        #expect(encodedRef?["subject_id"] as? String == "c1" && encodedRef?["run"] as? Int == 2)
        let descriptor = WorkflowDescriptor(
            name: "call_analysis", queue: "default", stepNames: ["fetch", "transcribe"])
        #expect(
            descriptor.dedupKey(subjectID: "c1", run: 2, step: "transcribe") == "workflow:call_analysis:c1:2:transcribe"
        )
        #expect(descriptor.taskName("transcribe") == "call_analysis.transcribe")
        #expect(descriptor.holder(subjectID: "c1") == "call_analysis:c1")
    }

    @Test("the in-process runner reschedules a deferred task without spending its one attempt")
    func inProcessDeferral() async throws {
        let runs = NIOLockedValueBox<[Int]>([])
        var registry = TaskRegistry()
        registry.register(DeferTwiceTask(runs: runs))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let runner = InProcessTaskRunner(registry: registry, logger: logger)
        let running = Task { try? await runner.run() }
        _ = try await runner.enqueue(
            name: DeferTwiceTask.name, arguments: "{}", options: EnqueueOptions(maxAttempts: 1))
        let deadline = ContinuousClock.now + .seconds(10)
        while runs.withLockedValue({ $0.count }) < 3 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(100))
        running.cancel()
        // Deferrals seen by each run: 0, 1, then 2 (which succeeds); the one attempt was never spent.
        #expect(runs.withLockedValue { $0 } == [0, 1, 2])
    }
}

/// Defers its first two runs (50 ms each), then succeeds; records the deferrals each run saw.
struct DeferTwiceTask: OttoTask {
    static let name = "test.defer_twice"
    let runs: NIOLockedValueBox<[Int]>

    func run(_ arguments: [String: String], context: TaskContext) async throws -> String {
        runs.withLockedValue { $0.append(context.deferrals) }
        #expect(context.attempt == 1)
        if context.deferrals < 2 { throw TaskDeferral(delay: .milliseconds(50), reason: "busy") }
        return "done"
    }
}
