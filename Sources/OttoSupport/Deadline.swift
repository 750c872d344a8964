import NIOConcurrencyHelpers

/// Thrown by ``withDeadline(_:operation:)`` when the operation did not finish in time.
public struct DeadlineExceeded: Error, Sendable, CustomStringConvertible {
    public var description: String { "deadline exceeded" }
}

/// Runs `operation` and returns its result, or throws ``DeadlineExceeded`` after `timeout`
/// even when the operation ignores cancellation (a hung socket, a blocked libpq call): the
/// caller never waits longer than the deadline. The operation is cancelled and left to finish.
public func withDeadline<T: Sendable>(
    _ timeout: Duration, operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let resumed = NIOLockedValueBox(false)
    let tasks = NIOLockedValueBox<[Task<Void, Never>]>([])
    return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        @Sendable func finish(_ result: Result<T, any Error>) {
            let first = resumed.withLockedValue { done in
                defer { done = true }
                return !done
            }
            guard first else { return }
            continuation.resume(with: result)
            for task in tasks.withLockedValue({ $0 }) { task.cancel() }
        }
        let work = Task {
            do { finish(.success(try await operation())) } catch { finish(.failure(error)) }
        }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            finish(.failure(DeadlineExceeded()))
        }
        tasks.withLockedValue { $0 = [work, timer] }
        if resumed.withLockedValue({ $0 }) {
            work.cancel()
            timer.cancel()
        }
    }
}
