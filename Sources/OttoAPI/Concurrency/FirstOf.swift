import NIOConcurrencyHelpers
import OttoCalls

/// The result of an operation, or a timeout error, whichever comes first.
///
/// The operation is not cancelled when the deadline wins: callers use this where the work may
/// finish on its own (a Redis command under the client's own timeout, a JWKS fetch that later
/// requests benefit from), so it runs on in an unstructured task rather than being awaited.
enum FirstOf {
    struct Timeout: Error {}

    static func value<Value: Sendable>(
        timeout: Duration, _ operation: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let once = NIOLockedValueBox<CheckedContinuation<Value, any Error>?>(nil)
        return try await withCheckedThrowingContinuation { continuation in
            once.withLockedValue { $0 = continuation }
            let timer = Task {
                try? await Task.sleep(for: timeout)
                guard !Task.isCancelled else { return }
                once.withLockedValue { $0.take() }?.resume(throwing: Timeout())
            }
            Task {
                let result: Result<Value, any Error>
                do { result = .success(try await operation()) } catch { result = .failure(error) }
                once.withLockedValue { $0.take() }?.resume(with: result)
                timer.cancel()
            }
        }
    }
}
