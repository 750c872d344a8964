import NIOConcurrencyHelpers

/// Collects acknowledgements so that many finished tasks cost one XACK and one XDEL per queue.
final class AckBuffer: Sendable {
    private struct State {
        var pending: [String: [String]] = [:]
        var waiter: CheckedContinuation<Void, Never>?
        var closed = false
    }
    private let state = NIOLockedValueBox(State())

    func add(queue: String, entryID: String) {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            state.pending[queue, default: []].append(entryID)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Puts a batch back after a failed flush.
    func restore(_ batch: [String: [String]]) {
        state.withLockedValue { state in
            for (queue, ids) in batch { state.pending[queue, default: []].insert(contentsOf: ids, at: 0) }
        }
    }

    /// Waits for acknowledgements and takes them all; nil once closed and drained.
    func next() async -> [String: [String]]? {
        while true {
            let batch = state.withLockedValue { state -> [String: [String]]?? in
                if !state.pending.isEmpty {
                    defer { state.pending = [:] }
                    return .some(state.pending)
                }
                return state.closed ? .some(nil) : nil
            }
            if let batch { return batch }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLockedValue { state -> Bool in
                    if !state.pending.isEmpty || state.closed { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    func close() {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    var isEmpty: Bool { state.withLockedValue { $0.pending.isEmpty } }
}
