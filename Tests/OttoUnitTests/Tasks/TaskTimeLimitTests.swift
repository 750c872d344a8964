import Foundation
import Logging
import NIOConcurrencyHelpers
import OttoSupport
import Testing

@testable import OttoTasks

/// Task time limits (the worker's and the in-process runner's, on the process' one
/// `DeadlineTimer`): a late task is cancelled and waited for, then reported as time limit
/// exceeded; a task in time returns its value; cancelling the caller cancels the task and is not
/// a time limit.
@Suite("Task time limits")
struct TaskTimeLimitTests {
    @Test("a task past its limit is cancelled, waited for, and reported as time limit exceeded")
    func lateTaskIsStopped() async throws {
        let stopped = NIOLockedValueBox(false)
        let began = ContinuousClock.now
        let error = await #expect(throws: TaskError.self) {
            try await TaskExecutor.withTimeLimit(.milliseconds(300)) {
                do {
                    try await Task.sleep(for: .seconds(30))
                } catch {
                    // Finishing takes a while after the cancellation (a blocking wait, which the
                    // cancellation cannot cut short): run() must wait for it.
                    usleep(300_000)
                    stopped.withLockedValue { $0 = true }
                    throw error
                }
            }
        }
        let elapsed = ContinuousClock.now - began
        #expect(error?.code == .timeLimitExceeded)
        #expect(stopped.withLockedValue { $0 }, "run() returned while the task still ran")
        #expect(elapsed < .seconds(10), "the limit of 300 ms stopped a 30 s task: \(elapsed)")
    }

    @Test("200 tasks at once that finish in time each return their own value")
    func tasksInTime() async throws {
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<200 {
                group.addTask {
                    try await TaskExecutor.withTimeLimit(.seconds(5)) {
                        try await Task.sleep(for: .milliseconds(index % 20))
                        return index
                    }
                }
            }
            var values: [Int] = []
            for try await value in group { values.append(value) }
            return values
        }
        #expect(values.sorted() == Array(0..<200))
    }

    @Test("cancelling the caller cancels the task: a CancellationError, not a time limit")
    func callerCancelled() async throws {
        let sawCancellation = NIOLockedValueBox(false)
        let caller = Task {
            try await TaskExecutor.withTimeLimit(.seconds(30)) {
                do { try await Task.sleep(for: .seconds(30)) } catch {
                    sawCancellation.withLockedValue { $0 = true }
                    throw error
                }
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        caller.cancel()
        let outcome = await caller.result
        #expect(sawCancellation.withLockedValue { $0 })
        #expect(throws: CancellationError.self) { try outcome.get() }
    }

    @Test("a failing task's own error comes through unchanged")
    func failureComesThrough() async throws {
        let error = await #expect(throws: TaskError.self) {
            try await TaskExecutor.withTimeLimit(.seconds(5)) { () async throws -> Int in
                throw TaskError(.requestedFailure, detail: "asked to")
            }
        }
        #expect(error?.code == .requestedFailure)
    }

    @Test("a task's own DeadlineExceeded (a probe of its own that timed out) is not its time limit")
    func ownDeadlineIsNotTheLimit() async throws {
        await #expect(throws: DeadlineExceeded.self) {
            try await TaskExecutor.withTimeLimit(.seconds(30)) { () async throws -> Int in
                try await withDeadline(.milliseconds(20)) { try await Task.sleep(for: .seconds(30)) }
                return 1
            }
        }
    }
}

/// otto-api's in-process runner keeps the same limits: a task past its limit is stopped and its
/// slot freed for the next task.
@Suite("Task time limits in-process")
struct InProcessTimeLimitTests {
    @Test("a task past its limit is cancelled and its slot goes to the next task")
    func lateTaskFreesItsSlot() async throws {
        let events = NIOLockedValueBox<[String]>([])
        var registry = TaskRegistry()
        registry.register(OverrunTask(events: events))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let runner = InProcessTaskRunner(registry: registry, logger: logger, concurrency: 1)
        let running = Task { try? await runner.run() }
        let began = ContinuousClock.now
        for number in 1...2 {
            _ = try await runner.enqueue(
                name: OverrunTask.name, arguments: #"{"number":"\#(number)"}"#, options: EnqueueOptions(maxAttempts: 1))
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while events.withLockedValue({ $0.count }) < 4 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let elapsed = ContinuousClock.now - began
        try await Task.sleep(for: .milliseconds(100))
        let idle = runner.running == 0 && runner.waiting == 0
        running.cancel()
        #expect(events.withLockedValue { $0 } == ["start 1", "cancelled 1", "start 2", "cancelled 2"])
        #expect(elapsed >= .milliseconds(600) && elapsed < .seconds(8), "two limits of 300 ms, one after the other")
        #expect(idle, "no task holds a slot or waits")
    }
}

/// Sleeps far past its limit of 300 ms; records each run's start and its cancellation.
struct OverrunTask: OttoTask {
    static let name = "test.overrun"
    static let timeLimit = Duration.milliseconds(300)
    let events: NIOLockedValueBox<[String]>

    func run(_ arguments: [String: String], context: TaskContext) async throws -> String {
        let number = arguments["number"] ?? "?"
        events.withLockedValue { $0.append("start \(number)") }
        do {
            try await Task.sleep(for: .seconds(30))
        } catch {
            events.withLockedValue { $0.append("cancelled \(number)") }
            throw error
        }
        return "late"
    }
}
