import NIOConcurrencyHelpers

/// One clock for the time limits of every task a worker runs: a task registers its deadline, and
/// a single loop, ticking only while tasks run, cancels those past theirs. A timer per task (a
/// sleeping child racing the work) cost a dispatch timer, a task group and two child tasks per
/// task: 8 % of the worker's CPU draining no-op tasks.
///
/// A late task is cancelled and waited for (its slot is never freed while it still runs), then
/// reported as time limit exceeded. A limit is kept to within one tick (100 ms) late.
final class TimeLimitWatchdog: Sendable {
    private struct Entry: Sendable {
        var deadline: ContinuousClock.Instant
        var cancel: @Sendable () -> Void
    }

    private struct State: Sendable {
        var entries: [UInt64: Entry] = [:]
        var expired: Set<UInt64> = []
        var nextID: UInt64 = 0
        var ticking = false
    }

    private let state = NIOLockedValueBox(State())
    private let tick: Duration

    init(tick: Duration = .milliseconds(100)) {
        self.tick = tick
    }

    /// Runs `operation` under `limit`; past it, cancels it, waits until it has stopped and throws
    /// ``TaskError/Code/timeLimitExceeded``. Cancelling the caller cancels the operation.
    func run<T: Sendable>(limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let work = Task { try await operation() }
        let deadline = ContinuousClock.now + limit
        let (id, startTicking) = state.withLockedValue { state -> (UInt64, Bool) in
            let id = state.nextID
            state.nextID &+= 1
            state.entries[id] = Entry(deadline: deadline, cancel: { work.cancel() })
            defer { state.ticking = true }
            return (id, !state.ticking)
        }
        if startTicking { Task { await self.tickWhileRunning() } }
        let result = await withTaskCancellationHandler {
            await work.result
        } onCancel: {
            work.cancel()
        }
        let late = state.withLockedValue { state in
            state.entries[id] = nil
            return state.expired.remove(id) != nil
        }
        if late { throw TaskError(.timeLimitExceeded, detail: "ran longer than \(limit)") }
        return try result.get()
    }

    /// Cancels what is past its deadline every tick; ends when no task is registered.
    private func tickWhileRunning() async {
        while true {
            try? await Task.sleep(for: tick)
            let now = ContinuousClock.now
            let (due, more) = state.withLockedValue { state -> ([@Sendable () -> Void], Bool) in
                var due: [@Sendable () -> Void] = []
                for (id, entry) in state.entries where entry.deadline <= now && !state.expired.contains(id) {
                    state.expired.insert(id)
                    due.append(entry.cancel)
                }
                if state.entries.isEmpty {
                    state.ticking = false
                    return (due, false)
                }
                return (due, true)
            }
            for cancel in due { cancel() }
            if !more { return }
        }
    }
}
