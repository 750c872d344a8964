import NIOCore

/// Who is waiting for the reply (or replies) of one request written to the connection.
///
/// Async callers park a continuation directly (no extra promise per command); the
/// connect handshake, which runs as a future chain, uses a promise.
enum RedisReplyWaiter: Sendable {
    case single(CheckedContinuation<RedisValue, any Error>)
    case promise(EventLoopPromise<RedisValue>)
    case batch(CheckedContinuation<[RedisValue], any Error>, count: Int)

    /// How many replies complete this waiter.
    var replyCount: Int {
        if case .batch(_, let count) = self { return count }
        return 1
    }

    func fail(_ error: RedisError) {
        switch self {
        case .single(let continuation): continuation.resume(throwing: error)
        case .promise(let promise): promise.fail(error)
        case .batch(let continuation, _): continuation.resume(throwing: error)
        }
    }
}
