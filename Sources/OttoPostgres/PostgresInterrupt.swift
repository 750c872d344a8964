import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Stops one pool operation from outside its thread: on task cancellation or a deadline.
///
/// libpq's blocking calls cannot be abandoned safely, so an interrupt makes them return instead:
/// while the operation waits for a connection it removes the waiter; while it connects the
/// connect loop sees the flag; while a statement runs it shuts the socket down, so libpq's
/// `poll`/`recv` return at once even when the server never answers (`PQcancel` would wait for a
/// hung server too). The socket is only touched while armed, under this lock, so it can never hit
/// a descriptor that libpq has closed and the kernel has reused.
final class PostgresInterrupt: Sendable {
    enum Reason: Sendable, Equatable {
        case cancelled
        case timedOut
    }

    private struct State {
        var reason: Reason?
        var isCheckingOut = true
        var armedSocket: Int32?
        var waiterHook: (@Sendable (Reason) -> Void)?
    }

    private let state = Mutex(State())

    /// Why the operation was interrupted, if it was.
    var reason: Reason? { state.withLock { $0.reason } }

    /// Interrupts once; `onlyWhileCheckingOut` lets a checkout deadline spare a running statement.
    func interrupt(_ reason: Reason, onlyWhileCheckingOut: Bool = false) {
        let hook = state.withLock { state -> (@Sendable (Reason) -> Void)? in
            guard state.reason == nil, !onlyWhileCheckingOut || state.isCheckingOut else { return nil }
            state.reason = reason
            if let socket = state.armedSocket {
                _ = shutdown(socket, Int32(SHUT_RDWR))
            }
            defer { state.waiterHook = nil }
            return state.waiterHook
        }
        hook?(reason)
    }

    /// Registers how to abandon a queued wait; runs it at once if already interrupted.
    func setWaiterHook(_ hook: @escaping @Sendable (Reason) -> Void) {
        let reason = state.withLock { state -> Reason? in
            if state.reason == nil { state.waiterHook = hook }
            return state.reason
        }
        if let reason { hook(reason) }
    }

    func clearWaiterHook() {
        state.withLock { $0.waiterHook = nil }
    }

    /// Ends the checkout phase; false if the operation was interrupted before that.
    func finishCheckout() -> Bool {
        state.withLock { state in
            state.isCheckingOut = false
            return state.reason == nil
        }
    }

    /// Lets an interrupt shut `socket` down until `disarm()`; false if already interrupted.
    func arm(socket: Int32) -> Bool {
        state.withLock { state in
            guard state.reason == nil else { return false }
            state.armedSocket = socket >= 0 ? socket : nil
            return true
        }
    }

    /// Must run before the connection that owns the armed socket is closed.
    func disarm() {
        state.withLock { $0.armedSocket = nil }
    }
}
