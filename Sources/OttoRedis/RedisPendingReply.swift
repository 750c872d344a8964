import NIOCore

/// A request that is written and waits for its replies, in the handler's FIFO queue.
struct RedisPendingReply {
    var waiter: RedisReplyWaiter
    var deadline: NIODeadline
}
