import NIOConcurrencyHelpers

/// Counts free execution slots; the fetch loop waits here for a free slot, and the drain for
/// all of them, instead of polling.
final class SlotGate: Sendable {
    private struct State {
        var free: Int
        var waiter: CheckedContinuation<Void, Never>?
        var stopped = false
        /// Waiters for every slot to be free, by id so a cancelled one can be resumed alone.
        var idleWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiterID = 0
    }
    private let state: NIOLockedValueBox<State>
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        self.state = NIOLockedValueBox(State(free: capacity))
    }

    /// Waits until at least one slot is free and returns how many are, or returns 0 once
    /// ``stopWaiting()`` was called (the worker stops fetching while every slot is busy).
    func waitForFree() async -> Int {
        while true {
            let (free, stopped) = state.withLockedValue { ($0.free, $0.stopped) }
            if free > 0 { return free }
            if stopped { return 0 }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLockedValue { state -> Bool in
                    if state.free > 0 || state.stopped { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// Wakes the fetch loop's wait for a free slot, now and from then on.
    func stopWaiting() {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            state.stopped = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func take() { state.withLockedValue { $0.free -= 1 } }

    func release() {
        let (waiter, idle) = state.withLockedValue {
            state -> (CheckedContinuation<Void, Never>?, [CheckedContinuation<Void, Never>]) in
            state.free += 1
            defer { state.waiter = nil }
            guard state.free == capacity else { return (state.waiter, []) }
            defer { state.idleWaiters = [:] }
            return (state.waiter, Array(state.idleWaiters.values))
        }
        waiter?.resume()
        for continuation in idle { continuation.resume() }
    }

    /// Returns when every slot is free, or at once when the calling task is cancelled.
    func waitUntilIdle() async {
        let id = state.withLockedValue { state -> Int in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLockedValue { state -> Bool in
                    if state.free == capacity || Task.isCancelled { return true }
                    state.idleWaiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLockedValue { $0.idleWaiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// Whether the fetch loop is waiting for a free slot (for tests).
    var hasFreeWaiter: Bool { state.withLockedValue { $0.waiter != nil } }

    /// Whether a drain is waiting for every slot (for tests).
    var hasIdleWaiter: Bool { state.withLockedValue { !$0.idleWaiters.isEmpty } }

    var busy: Int { capacity - state.withLockedValue { $0.free } }
}
