import Synchronization

/// Counts connections checked out at once, so a test can hold several until all are open.
final class HoldCounter: Sendable {
    private let count = Mutex(0)

    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
