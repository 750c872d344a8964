import NIOConcurrencyHelpers
import Testing

@testable import OttoSupport

/// The one "run this or give up after a timeout" helper.
@Suite("withDeadline")
struct DeadlineTests {
    struct Refused: Error, Equatable {}

    @Test("returns the operation's value when it finishes in time")
    func value() async throws {
        #expect(try await withDeadline(.seconds(30)) { 42 } == 42)
    }

    @Test("rethrows the operation's own error")
    func error() async {
        await #expect(throws: Refused()) {
            try await withDeadline(.seconds(30)) { () async throws -> Int in throw Refused() }
        }
    }

    @Test("throws DeadlineExceeded after the timeout even when the operation ignores cancellation")
    func ignoresCancellation() async throws {
        // The operation waits on a continuation only this test resumes, with no cancellation
        // handler: a hung socket or a blocked C call.
        let parked = NIOLockedValueBox<CheckedContinuation<Void, Never>?>(nil)
        let sawCancellation = NIOLockedValueBox<Bool?>(nil)
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(200)) { () async -> Int in
                await withCheckedContinuation { continuation in parked.withLockedValue { $0 = continuation } }
                sawCancellation.withLockedValue { $0 = Task.isCancelled }
                return 1
            }
        }
        let elapsed = clock.now - start
        #expect(elapsed >= .milliseconds(190))
        // The deadline is the contract; without it the call would never return. The bound is
        // generous for a loaded machine.
        #expect(elapsed < .seconds(10), "took \(elapsed)")
        // The operation was cancelled and left to finish: let it, and see that it was told.
        var continuation: CheckedContinuation<Void, Never>?
        while continuation == nil {
            continuation = parked.withLockedValue { value in
                defer { value = nil }
                return value
            }
            if continuation == nil { await Task.yield() }
        }
        continuation?.resume()
        let waited = clock.now
        while sawCancellation.withLockedValue({ $0 }) == nil, clock.now - waited < .seconds(10) {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(sawCancellation.withLockedValue { $0 } == true)
    }

    @Test("DeadlineExceeded says what happened")
    func description() {
        #expect(DeadlineExceeded().description == "deadline exceeded")
    }
}
