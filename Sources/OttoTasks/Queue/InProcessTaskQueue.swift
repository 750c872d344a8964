import OttoSupport
import Synchronization

/// The in-process runner's tasks that wait (ordered by due time: new, delayed and retrying
/// alike), how many run, and the signal that wakes the runner's loop.
///
/// One loop consumes it (``InProcessTaskRunner/run()``); producers are request handlers and the
/// runner's own retries. A wake-up that finds no waiter is remembered, so none is lost between a
/// check and a wait.
final class InProcessTaskQueue: Sendable {
    private struct State {
        var pending = DueTaskHeap()
        var running = 0
        var accepting = true
        var stopping = false
        var wake = false
        var waiter: CheckedContinuation<Void, Never>?
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// What the loop should do next.
    enum Next {
        /// Start this task (a slot is taken for it).
        case run(TaskEnvelope)
        /// Wait for a signal, or at most this many seconds when a task falls due then.
        case wait(seconds: Double?)
        /// Graceful shutdown began.
        case stop
    }

    private let state = Mutex(State())
    /// Most tasks that may wait at once; an enqueue beyond it fails (a webhook's event then waits
    /// in PostgreSQL for the sweep).
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Adds a new task; throws when the runner is stopping or full.
    func push(_ envelope: TaskEnvelope) throws(TaskError) {
        try state.withLock { state throws(TaskError) in
            guard state.accepting else {
                throw TaskError(.queueUnavailable, detail: "the in-process runner is stopping")
            }
            guard state.pending.count < capacity else {
                throw TaskError(.queueUnavailable, detail: "the in-process runner has \(capacity) tasks waiting")
            }
            state.pending.push(envelope)
        }
        signal()
    }

    /// Puts a retry back; false once the runner stopped accepting (shutdown drops it).
    func requeue(_ envelope: TaskEnvelope) -> Bool {
        let accepted = state.withLock { state in
            guard state.accepting else { return false }
            state.pending.push(envelope)
            return true
        }
        if accepted { signal() }
        return accepted
    }

    /// The next thing to do with at most `concurrency` tasks running.
    func next(concurrency: Int, now: Double) -> Next {
        state.withLock { state in
            if state.stopping { return .stop }
            guard state.running < concurrency else { return .wait(seconds: nil) }
            guard let first = state.pending.first else { return .wait(seconds: nil) }
            guard first.dueAt <= now else { return .wait(seconds: first.dueAt - now) }
            _ = state.pending.popFirst()
            state.running += 1
            return .run(first)
        }
    }

    /// A started task ended; its slot is free.
    func finished() {
        let idle = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.running -= 1
            guard state.running == 0 else { return [] }
            defer { state.idleWaiters = [] }
            return state.idleWaiters
        }
        for waiter in idle { waiter.resume() }
        signal()
    }

    /// Returns once no task runs, cancelled or not (the runner's last step: cancelled tasks end
    /// quickly, and their slots must be accounted for before the process moves on).
    func waitUntilIdle() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state -> Bool in
                if state.running == 0 { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    /// Graceful shutdown began: the loop stops starting tasks.
    func beginShutdown() {
        state.withLock { $0.stopping = true }
        signal()
    }

    /// Stops accepting tasks and returns the ones that never started.
    func close() -> [TaskEnvelope] {
        state.withLock { state in
            state.accepting = false
            state.stopping = true
            return state.pending.removeAll()
        }
    }

    var running: Int { state.withLock { $0.running } }
    var waiting: Int { state.withLock { $0.pending.count } }

    /// Waits for a signal, or for `seconds` at most (nil: no limit); returns early when cancelled.
    func wait(seconds: Double?) async {
        guard let seconds else {
            await waitForSignal()
            return
        }
        guard seconds > 0 else { return }
        // The shared timer, not a sleeping child: a signal usually comes first, and a cancelled
        // sleep would hold its timer until the due time.
        let token = DeadlineTimer.shared.schedule(at: .now + .milliseconds(Int64(seconds * 1000) + 1)) {
            self.signal()
        }
        await waitForSignal()
        DeadlineTimer.shared.cancel(token)
    }

    private func waitForSignal() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.wake {
                        state.wake = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            signal()
        }
    }

    private func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.wake = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }
}
