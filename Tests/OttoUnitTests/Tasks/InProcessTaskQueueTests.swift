import OttoTestSupport
import Testing

@testable import OttoTasks

/// The in-process runner's waiting tasks start in due order, first come first served among equal
/// due times, however they were pushed and requeued; the capacity and close keep their contract.
@Suite("In-process task queue: order and capacity")
struct InProcessTaskQueueTests {
    static func envelope(_ id: Int, dueAt: Double) -> TaskEnvelope {
        TaskEnvelope(
            id: "task-\(id)", name: "otto.ping", arguments: "{}", queue: "default", attempt: 1, maxAttempts: 3,
            enqueuedAt: 0, dueAt: dueAt, tenantID: nil, dedupKey: nil, traceparent: nil, timeLimit: 30,
            resultTTL: nil, lastError: nil)
    }

    /// Takes every due task in the order the queue starts them.
    static func drain(_ queue: InProcessTaskQueue, now: Double) -> [String] {
        var started: [String] = []
        while case .run(let envelope) = queue.next(concurrency: .max, now: now) { started.append(envelope.id) }
        return started
    }

    @Test("2,000 tasks with random due times (many equal) start in due order, ties first come first served")
    func dueOrderWithStableTies() throws {
        var generator = SeededGenerator(seed: 14)
        let queue = InProcessTaskQueue(capacity: 10_000)
        var pushed: [TaskEnvelope] = []
        for id in 0..<2_000 {
            let envelope = Self.envelope(id, dueAt: Double(generator.next() % 50) / 4)
            pushed.append(envelope)
            if id % 3 == 0 { #expect(queue.requeue(envelope)) } else { try queue.push(envelope) }
        }
        #expect(queue.waiting == 2_000)
        // A stable sort by due time: equal due times keep the order they came in.
        let expected = pushed.enumerated().sorted { ($0.element.dueAt, $0.offset) < ($1.element.dueAt, $1.offset) }
            .map(\.element.id)
        #expect(Self.drain(queue, now: 100) == expected)
        #expect(queue.waiting == 0)
        #expect(queue.running == 2_000)
    }

    @Test("a task not yet due makes the loop wait until it is; one due sooner goes first")
    func waitsForTheFirstDue() throws {
        let queue = InProcessTaskQueue(capacity: 10)
        try queue.push(Self.envelope(1, dueAt: 20))
        guard case .wait(let seconds) = queue.next(concurrency: 4, now: 15) else {
            Issue.record("expected a wait")
            return
        }
        #expect(seconds == 5)
        try queue.push(Self.envelope(2, dueAt: 10))
        #expect(Self.drain(queue, now: 15) == ["task-2"])
        #expect(Self.drain(queue, now: 20) == ["task-1"])
    }

    @Test("interleaved pushes and starts keep the order; the concurrency bound holds")
    func interleaved() throws {
        let queue = InProcessTaskQueue(capacity: 100)
        for id in [5, 1, 4] { try queue.push(Self.envelope(id, dueAt: Double(id))) }
        guard case .run(let first) = queue.next(concurrency: 1, now: 10) else {
            Issue.record("expected a start")
            return
        }
        #expect(first.id == "task-1")
        guard case .wait(nil) = queue.next(concurrency: 1, now: 10) else {
            Issue.record("one is running: the bound of 1 holds")
            return
        }
        queue.finished()
        try queue.push(Self.envelope(2, dueAt: 2))
        try queue.push(Self.envelope(3, dueAt: 4))
        #expect(Self.drain(queue, now: 10) == ["task-2", "task-4", "task-3", "task-5"])
    }

    @Test("beyond the capacity a push fails; close returns what never started, in due order")
    func capacityAndClose() throws {
        let queue = InProcessTaskQueue(capacity: 3)
        for id in [3, 1, 2] { try queue.push(Self.envelope(id, dueAt: Double(id))) }
        #expect(throws: TaskError.self) { try queue.push(Self.envelope(4, dueAt: 0)) }
        #expect(queue.close().map(\.id) == ["task-1", "task-2", "task-3"])
        #expect(queue.waiting == 0)
        #expect(throws: TaskError.self) { try queue.push(Self.envelope(5, dueAt: 0)) }
        #expect(!queue.requeue(Self.envelope(6, dueAt: 0)))
    }
}
