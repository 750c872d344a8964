import NIOConcurrencyHelpers

/// Counts how often a test route's handler ran.
final class HandlerCounter: Sendable {
    private let count = NIOLockedValueBox(0)
    func increment() -> Int {
        count.withLockedValue {
            $0 += 1; return $0
        }
    }
    var value: Int { count.withLockedValue { $0 } }
}
