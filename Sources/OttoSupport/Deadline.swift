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
/// helper of every target.
public func withDeadline<T: Sendable>(
    _ timeout: Duration, whenLate: LateOperation = .cancelAndReturn,
    operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    if whenLate == .cancelAndWait {
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw DeadlineExceeded() }
            return value
        }
    }
    let cancel = whenLate == .cancelAndReturn
    let resumed = NIOLockedValueBox(false)
    let tasks = NIOLockedValueBox<[Task<Void, Never>]>([])
    return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        @Sendable func finish(_ result: Result<T, any Error>, fromTimer: Bool) {
            let first = resumed.withLockedValue { done in
                defer { done = true }
                return !done
            }
            guard first else { return }
            continuation.resume(with: result)
            // [work, timer]: the timer always stops; a late operation only when the policy says so.
            let started = tasks.withLockedValue { $0 }
            started.last?.cancel()
            if cancel, fromTimer { started.first?.cancel() }
        }
        let work = Task {
            do { finish(.success(try await operation()), fromTimer: false) } catch {
                finish(.failure(error), fromTimer: false)
            }
        }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            finish(.failure(DeadlineExceeded()), fromTimer: true)
        }
        tasks.withLockedValue { $0 = [work, timer] }
        if resumed.withLockedValue({ $0 }) {
            if cancel { work.cancel() }
            timer.cancel()
        }
    }
}
