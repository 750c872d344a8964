import NIOConcurrencyHelpers

/// Thrown by ``withDeadline(_:whenLate:operation:)`` when the operation did not finish in time.
public struct DeadlineExceeded: Error, Sendable, CustomStringConvertible {
    public var description: String { "deadline exceeded" }
}

/// What becomes of an operation that is still running when its deadline passes.
public enum LateOperation: Sendable {
    /// It is cancelled, and the caller waits until it has stopped (structured: nothing outlives
    /// the call). A task's time limit: its worker slot is not freed while it still runs.
    case cancelAndWait
    /// It is cancelled and left to stop by itself; the caller returns at the deadline even when
    /// the operation ignores cancellation (a hung socket, a blocked libpq call). Health probes.
    case cancelAndReturn
    /// It runs on, uncancelled, and the caller returns at the deadline: for work that is worth
    /// finishing anyway (a Redis command under the client's own timeout, a JWKS fetch that later
    /// requests use).
    case leaveRunning
}

/// Runs `operation` and returns its result, or throws ``DeadlineExceeded`` once `timeout` has
/// passed; `whenLate` says what happens to an operation still running then. The one deadline
/// helper of every target; its timer is ``DeadlineTimer/shared``, so a deadline that does not
/// pass leaves nothing behind when the operation ends.
public func withDeadline<T: Sendable>(
    _ timeout: Duration, whenLate: LateOperation = .cancelAndReturn,
    operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let timer = DeadlineTimer.shared
    let deadline = ContinuousClock.now + timeout
    if whenLate == .cancelAndWait {
        let (result, late) = await cancellingAtDeadline(timeout, operation: operation)
        if late { throw DeadlineExceeded() }
        return try result.get()
    }
    let cancel = whenLate == .cancelAndReturn
    let started = NIOLockedValueBox(Started())
    return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        @Sendable func finish(_ result: Result<T, any Error>, fromTimer: Bool) {
            let (first, now) = started.withLockedValue { started in
                defer { started.resumed = true }
                return (!started.resumed, started)
            }
            guard first else { return }
            continuation.resume(with: result)
            // The deadline always goes; a late operation only when the policy says so.
            if !fromTimer, let token = now.token { timer.cancel(token) }
            if cancel, fromTimer { now.work?.cancel() }
        }
        let work = Task {
            do { finish(.success(try await operation()), fromTimer: false) } catch {
                finish(.failure(error), fromTimer: false)
            }
        }
        let token = timer.schedule(at: deadline) { finish(.failure(DeadlineExceeded()), fromTimer: true) }
        let resumed = started.withLockedValue { started in
            started.work = work
            started.token = token
            return started.resumed
        }
        if resumed {
            if cancel { work.cancel() }
            timer.cancel(token)
        }
    }
}

/// Runs `operation`, cancels it when `timeout` passes and waits until it has stopped: its result,
/// and whether the deadline cancelled it (whatever it then returned). Cancelling the caller
/// cancels the operation. ``withDeadline(_:whenLate:operation:)``'s `.cancelAndWait`, for callers
/// that must tell a passed deadline from an operation's own ``DeadlineExceeded``.
public func cancellingAtDeadline<T: Sendable>(
    _ timeout: Duration, operation: @escaping @Sendable () async throws -> T
) async -> (result: Result<T, any Error>, late: Bool) {
    let timer = DeadlineTimer.shared
    let work = Task { try await operation() }
    let token = timer.schedule(at: .now + timeout) { work.cancel() }
    let result = await withTaskCancellationHandler {
        await work.result
    } onCancel: {
        work.cancel()
    }
    return (result, !timer.cancel(token))
}

/// What ``withDeadline(_:whenLate:operation:)`` started, once it has, and whether it answered.
private struct Started: Sendable {
    var resumed = false
    var work: Task<Void, Never>?
    var token: DeadlineTimer.Token?
}
