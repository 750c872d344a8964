import NIOCore

/// A connected, authenticated NIO channel and a thread-safe way into its handler.
struct RedisChannel: Sendable {
    let channel: any Channel
    let handler: NIOLoopBound<RedisChannelHandler>

    var eventLoop: any EventLoop { channel.eventLoop }

    /// Sends one encoded command and waits for its reply (error replies are returned, not thrown).
    func send(_ bytes: ByteBuffer, deadline: NIODeadline) async throws -> RedisValue {
        try await withCheckedThrowingContinuation { continuation in
            submit(RedisRequest(bytes: bytes, waiter: .single(continuation), deadline: deadline))
        }
    }

    /// Sends `count` encoded commands in one write and waits for all their replies.
    func pipeline(_ bytes: ByteBuffer, count: Int, deadline: NIODeadline) async throws -> [RedisValue] {
        try await withCheckedThrowingContinuation { continuation in
            submit(
                RedisRequest(bytes: bytes, waiter: .batch(continuation, count: count), deadline: deadline))
        }
    }

    /// The future-based form, for the connect handshake that runs on the event loop.
    func sendOnLoop(_ bytes: ByteBuffer, deadline: NIODeadline) -> EventLoopFuture<RedisValue> {
        let promise = eventLoop.makePromise(of: RedisValue.self)
        submit(RedisRequest(bytes: bytes, waiter: .promise(promise), deadline: deadline))
        return promise.futureResult
    }

    private func submit(_ request: RedisRequest) {
        if eventLoop.inEventLoop {
            handler.value.submit(request)
        } else {
            let handler = self.handler
            eventLoop.execute {
                handler.value.submit(request)
            }
        }
    }
}
