import Synchronization

/// One timer for the process' deadlines and cancellable sleeps: a deadline is an entry in a
/// table, cancelling it removes the entry, and one loop sleeps until the earliest.
///
/// `Task.sleep` is the wrong tool for a deadline that usually does not pass. A cancelled sleep
/// resumes its caller at once, but the runtime keeps its timer (a small task and a dispatch
/// source) until the original deadline: 50,000 cancelled 300-second sleeps held 33 MB for five
/// minutes (measured 2026-12-04). Every task's time limit, every lease renewal of an idempotent
/// request and every rate-limit decision is such a deadline.
///
/// The loop sleeps at most `longestSleep` at a time, so the one sleep it abandons when an
/// earlier deadline arrives is held for that long at most; it ends when the table is empty, so
/// an idle process has no timer.
public final class DeadlineTimer: Sendable {
    /// The process' timer.
    public static let shared = DeadlineTimer()

    /// A scheduled deadline, for ``cancel(_:)``.
    public struct Token: Sendable, Hashable {
        fileprivate let id: UInt64
    }

    private struct Entry {
        var deadline: ContinuousClock.Instant
        var fire: @Sendable () -> Void
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var nextID: UInt64 = 0
        /// When the running loop wakes next; nil while no loop runs.
        var wake: ContinuousClock.Instant?
        /// The running loop's number: a loop that is not the current one ends when it wakes.
        var generation: UInt64 = 0
        var loop: Task<Void, Never>?
    }

    private let state = Mutex(State())
    private let longestSleep: Duration

    public init(longestSleep: Duration = .seconds(1)) {
        self.longestSleep = longestSleep
    }

    /// Calls `fire` once at `deadline` (on the loop's task, so it should be quick), unless
    /// ``cancel(_:)`` comes first.
    public func schedule(at deadline: ContinuousClock.Instant, _ fire: @escaping @Sendable () -> Void) -> Token {
        let (token, replaced) = state.withLock { state -> (Token, Task<Void, Never>?) in
            let id = state.nextID
            state.nextID &+= 1
            state.entries[id] = Entry(deadline: deadline, fire: fire)
            if let wake = state.wake, wake <= deadline { return (Token(id: id), nil) }
            // No loop runs, or it sleeps past this deadline: a new one wakes for it.
            let replaced = state.loop
            state.generation &+= 1
            state.wake = min(deadline, .now + longestSleep)
            let generation = state.generation
            // Detached: the loop outlives the task that scheduled it and must not keep its task-locals.
            state.loop = Task.detached { await self.run(generation: generation) }
            return (Token(id: id), replaced)
        }
        replaced?.cancel()
        return token
    }

    /// Removes a deadline; true when it had not fired (and now never will).
    @discardableResult
    public func cancel(_ token: Token) -> Bool {
        state.withLock { $0.entries.removeValue(forKey: token.id) != nil }
    }

    /// Deadlines scheduled and neither fired nor cancelled (for tests).
    public var pending: Int { state.withLock { $0.entries.count } }

    /// Sleeps until `deadline`; throws `CancellationError` as soon as the task is cancelled,
    /// leaving nothing behind.
    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        try Task.checkCancellation()
        guard deadline > .now else { return }
        let waiter = SleepWaiter()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                guard waiter.wait(continuation) else { return }
                let token = schedule(at: deadline) { waiter.resume(.success(())) }
                if !waiter.keep(token) { cancel(token) }
            }
        } onCancel: {
            if let token = waiter.cancelled() { cancel(token) }
        }
    }

    /// Sleeps for `duration` (see ``sleep(until:)``).
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: .now + duration)
    }

    /// Fires what is due each time it wakes; ends when no deadline is left or a newer loop
    /// replaced it.
    private func run(generation: UInt64) async {
        while true {
            guard let wake = state.withLock({ $0.generation == generation ? $0.wake : nil }) else { return }
            try? await Task.sleep(until: wake, clock: .continuous)
            if Task.isCancelled { return }
            let now = ContinuousClock.now
            let due = state.withLock { state -> [@Sendable () -> Void]? in
                guard state.generation == generation else { return nil }
                var due: [(UInt64, @Sendable () -> Void)] = []
                var earliest: ContinuousClock.Instant?
                for (id, entry) in state.entries {
                    if entry.deadline <= now {
                        due.append((id, entry.fire))
                    } else if earliest.map({ entry.deadline < $0 }) ?? true {
                        earliest = entry.deadline
                    }
                }
                for (id, _) in due { state.entries[id] = nil }
                if let earliest {
                    state.wake = min(earliest, now + longestSleep)
                } else {
                    state.wake = nil
                    state.loop = nil
                }
                return due.map(\.1)
            }
            guard let due else { return }
            for fire in due { fire() }
        }
    }
}

/// One ``DeadlineTimer/sleep(until:)``: its continuation, its deadline's token, and whether the
/// sleeping task was cancelled, whichever order they come in.
private final class SleepWaiter: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Void, any Error>?
        var token: DeadlineTimer.Token?
        var cancelled = false
    }

    private let state = Mutex(State())

    /// Keeps the continuation; false (and it is resumed with `CancellationError`) when the task
    /// was cancelled first.
    func wait(_ continuation: CheckedContinuation<Void, any Error>) -> Bool {
        let cancelled = state.withLock { state in
            if !state.cancelled { state.continuation = continuation }
            return state.cancelled
        }
        if cancelled { continuation.resume(throwing: CancellationError()) }
        return !cancelled
    }

    /// Keeps the deadline's token; false when the task was cancelled meanwhile (the caller then
    /// cancels the deadline).
    func keep(_ token: DeadlineTimer.Token) -> Bool {
        state.withLock { state in
            state.token = token
            return !state.cancelled
        }
    }

    /// The task was cancelled: resumes the sleeper with `CancellationError` and returns the
    /// token to cancel, if one was kept.
    func cancelled() -> DeadlineTimer.Token? {
        let token = state.withLock { state in
            state.cancelled = true
            return state.token
        }
        resume(.failure(CancellationError()))
        return token
    }

    /// Resumes the sleeper once; later calls do nothing.
    func resume(_ result: Result<Void, any Error>) {
        let continuation = state.withLock { state in
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(with: result)
    }
}
