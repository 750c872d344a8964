import Foundation
import NIOConcurrencyHelpers
import Testing

@testable import OttoTasks

/// The worker's one clock for task time limits: a late task is cancelled and waited for, then
/// reported as time limit exceeded; a task in time returns its value; cancelling the caller
/// cancels the task and is not a time limit.
@Suite("Task time limits")
struct TimeLimitWatchdogTests {
    @Test("a task past its limit is cancelled, waited for, and reported as time limit exceeded")
    func lateTaskIsStopped() async throws {
        let watchdog = TimeLimitWatchdog()
        let stopped = NIOLockedValueBox(false)
        let began = ContinuousClock.now
        let error = await #expect(throws: TaskError.self) {
            try await watchdog.run(limit: .milliseconds(300)) {
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
        let watchdog = TimeLimitWatchdog()
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<200 {
                group.addTask {
                    try await watchdog.run(limit: .seconds(5)) {
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
        let watchdog = TimeLimitWatchdog()
        let sawCancellation = NIOLockedValueBox(false)
        let caller = Task {
            try await watchdog.run(limit: .seconds(30)) {
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
        let watchdog = TimeLimitWatchdog()
        let error = await #expect(throws: TaskError.self) {
            try await watchdog.run(limit: .seconds(5)) { () async throws -> Int in
                throw TaskError(.requestedFailure, detail: "asked to")
            }
        }
        #expect(error?.code == .requestedFailure)
    }
}
