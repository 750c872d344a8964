import NIOConcurrencyHelpers
import Testing

@testable import OttoSupport

/// The process' one timer: deadlines fire once, not early; a cancelled one never fires and is
/// gone from the table at once; an earlier deadline scheduled after a later one still fires on
/// time; a sleep ends at its deadline or at once when cancelled.
@Suite("DeadlineTimer")
struct DeadlineTimerTests {
    @Test("a deadline fires once, not before its time, and leaves the table")
    func firesOnce() async throws {
        let timer = DeadlineTimer()
        let fired = NIOLockedValueBox<[ContinuousClock.Instant]>([])
        let start = ContinuousClock.now
        let token = timer.schedule(at: start + .milliseconds(150)) {
            fired.withLockedValue { $0.append(.now) }
        }
        #expect(timer.pending == 1)
        try await waitUntil { fired.withLockedValue { !$0.isEmpty } }
        try await Task.sleep(for: .milliseconds(100))
        let times = fired.withLockedValue { $0 }
        #expect(times.count == 1)
        #expect(times.first.map { $0 - start >= .milliseconds(150) } == true, "fired early")
        #expect(timer.pending == 0)
        #expect(!timer.cancel(token), "a fired deadline cannot be cancelled")
    }

    @Test("a cancelled deadline never fires, and the table is empty at once")
    func cancelled() async throws {
        let timer = DeadlineTimer()
        let fired = NIOLockedValueBox(0)
        let tokens = (0..<1_000).map { _ in
            timer.schedule(at: .now + .milliseconds(100)) { fired.withLockedValue { $0 += 1 } }
        }
        #expect(timer.pending == 1_000)
        for token in tokens { #expect(timer.cancel(token)) }
        #expect(timer.pending == 0)
        try await Task.sleep(for: .milliseconds(300))
        #expect(fired.withLockedValue { $0 } == 0)
    }

    @Test("an earlier deadline scheduled after a later one fires on time, and both fire")
    func earlierAfterLater() async throws {
        // The loop sleeps at most 10 s here, so only a restart for the earlier deadline makes it
        // fire in time.
        let timer = DeadlineTimer(longestSleep: .seconds(10))
        let order = NIOLockedValueBox<[String]>([])
        let start = ContinuousClock.now
        _ = timer.schedule(at: start + .milliseconds(600)) { order.withLockedValue { $0.append("later") } }
        try await Task.sleep(for: .milliseconds(20))
        _ = timer.schedule(at: start + .milliseconds(100)) { order.withLockedValue { $0.append("earlier") } }
        try await waitUntil { order.withLockedValue { $0.count == 1 } }
        #expect(ContinuousClock.now - start < .milliseconds(550), "the earlier deadline waited for the later one")
        try await waitUntil { order.withLockedValue { $0.count == 2 } }
        #expect(order.withLockedValue { $0 } == ["earlier", "later"])
    }

    @Test("a deadline past the longest sleep fires after several wake-ups")
    func longerThanOneSleep() async throws {
        let timer = DeadlineTimer(longestSleep: .milliseconds(50))
        let fired = NIOLockedValueBox(false)
        let start = ContinuousClock.now
        _ = timer.schedule(at: start + .milliseconds(250)) { fired.withLockedValue { $0 = true } }
        try await Task.sleep(for: .milliseconds(150))
        #expect(!fired.withLockedValue { $0 }, "fired at a wake-up before its deadline")
        try await waitUntil { fired.withLockedValue { $0 } }
        #expect(ContinuousClock.now - start >= .milliseconds(250))
    }

    @Test("a sleep ends at its deadline")
    func sleepEnds() async throws {
        let timer = DeadlineTimer()
        let start = ContinuousClock.now
        try await timer.sleep(for: .milliseconds(120))
        #expect(ContinuousClock.now - start >= .milliseconds(120))
        #expect(timer.pending == 0)
    }

    @Test("a cancelled sleep throws CancellationError at once and leaves no deadline")
    func sleepCancelled() async throws {
        let timer = DeadlineTimer()
        let start = ContinuousClock.now
        let sleeper = Task { try await timer.sleep(for: .seconds(300)) }
        try await waitUntil { timer.pending == 1 }
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(ContinuousClock.now - start < .seconds(30))
        #expect(timer.pending == 0, "the cancelled sleep's deadline is still in the table")
        // Cancelled before it began: it throws without scheduling anything.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await timer.sleep(for: .seconds(300))
        }
        await #expect(throws: CancellationError.self) { try await early.value }
        #expect(timer.pending == 0)
    }

    @Test("2,000 sleepers cancelled while they sleep each end with CancellationError")
    func manyCancelledSleeps() async throws {
        let timer = DeadlineTimer()
        let sleepers = (0..<2_000).map { _ in Task { try await timer.sleep(for: .seconds(300)) } }
        try await Task.sleep(for: .milliseconds(50))
        for sleeper in sleepers { sleeper.cancel() }
        var cancelled = 0
        for sleeper in sleepers {
            if case .failure(let error) = await sleeper.result, error is CancellationError { cancelled += 1 }
        }
        #expect(cancelled == 2_000)
        #expect(timer.pending == 0)
    }

    private func waitUntil(_ condition: @Sendable () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(condition(), "not within 10 s")
    }
}
