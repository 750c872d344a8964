import NIOConcurrencyHelpers

/// Counts free execution slots; the fetch loop waits here instead of polling.
final class SlotGate: Sendable {
    private struct State {
        var free: Int
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let state: NIOLockedValueBox<State>
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        self.state = NIOLockedValueBox(State(free: capacity))
    }

    /// Waits until at least one slot is free and returns how many are.
    func waitForFree() async -> Int {
        while true {
            let free = state.withLockedValue { $0.free }
            if free > 0 { return free }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLockedValue { state -> Bool in
                    if state.free > 0 { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    func take() { state.withLockedValue { $0.free -= 1 } }

    func release() {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            state.free += 1
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    var busy: Int { capacity - state.withLockedValue { $0.free } }
}
