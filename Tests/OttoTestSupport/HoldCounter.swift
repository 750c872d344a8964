import Synchronization

/// Counts connections checked out at once, so a test can hold several until all are open.
public final class HoldCounter: Sendable {
    private let count = Mutex(0)

    public init() {}

    public func increment() { count.withLock { $0 += 1 } }
    public var value: Int { count.withLock { $0 } }
}
