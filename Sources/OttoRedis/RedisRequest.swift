import NIOCore

/// Encoded command bytes (one command, or a whole pipeline) and who waits for the replies.
struct RedisRequest: Sendable {
    var bytes: ByteBuffer
    var waiter: RedisReplyWaiter
    /// When the last reply must have arrived; past it the connection is closed.
    var deadline: NIODeadline
}
