import NIOCore
import NIOSSL

/// Writes encoded commands and matches RESP2 replies to their waiters strictly in FIFO
/// order, so many requests can be in flight on one connection (pipelining).
///
/// Event-loop confined: it is created in the channel initializer and only touched on its
/// event loop (other threads reach it through `NIOLoopBound`), which is what makes the C
/// reader it owns safe to use without locks.
///
/// A deadline passes, the reply stream breaks, or the peer goes away: then every waiter
/// fails and the channel is closed, because a half-read reply would shift all later
/// replies onto the wrong requests.
final class RedisChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private let reader = RedisReplyReader()
    private var pending = CircularBuffer<RedisPendingReply>(initialCapacity: 16)
    /// Replies collected so far for the head of `pending` when it is a batch.
    private var batchReplies: [RedisValue] = []
    private var context: ChannelHandlerContext?
    private var isClosed = false
    /// Why the channel is closing, given to every waiter that is failed because of it.
    private var closeReason: RedisError?
    private var flushScheduled = false
    private var timer: Scheduled<Void>?
    private var timerDeadline = NIODeadline.distantFuture
    init() {}

    // MARK: Submitting

    /// Queues a request and writes it; a closed handler fails it as "not sent", so the
    /// caller may safely retry it on a new connection.
    func submit(_ request: RedisRequest) {
        guard let context else {
            var error = closeReason ?? RedisError(code: .connectionClosed)
            error.wasNotSent = true
            request.waiter.fail(error)
            return
        }
        enqueue(request, context: context, writePromise: nil)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        enqueue(unwrapOutboundIn(data), context: context, writePromise: promise)
    }

    private func enqueue(
        _ request: RedisRequest, context: ChannelHandlerContext, writePromise: EventLoopPromise<Void>?
    ) {
        guard !isClosed else {
            var error = closeReason ?? RedisError(code: .connectionClosed)
            error.wasNotSent = true
            request.waiter.fail(error)
            writePromise?.fail(error)
            return
        }
        pending.append(RedisPendingReply(waiter: request.waiter, deadline: request.deadline))
        context.write(wrapOutboundOut(request.bytes), promise: writePromise)
        scheduleFlush(context: context)
        armTimer(deadline: request.deadline, context: context)
    }

    /// Coalesces the flushes of requests submitted in the same event-loop tick into one
    /// syscall: the flush runs after the tasks already queued on the loop.
    private func scheduleFlush(context: ChannelHandlerContext) {
        guard !flushScheduled else { return }
        flushScheduled = true
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            handler.value.flushNow()
        }
    }

    private func flushNow() {
        flushScheduled = false
        context?.flush()
    }

    // MARK: Timeouts

    /// One timer per connection, set to the earliest deadline it knows; most commands share
    /// the default timeout, so later ones never move it.
    private func armTimer(deadline: NIODeadline, context: ChannelHandlerContext) {
        if timer != nil, deadline >= timerDeadline { return }
        timer?.cancel()
        timerDeadline = deadline
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            handler.value.timerFired()
        }
    }

    private func timerFired() {
        timer = nil
        timerDeadline = .distantFuture
        guard !isClosed, let context, !pending.isEmpty else { return }
        let now = NIODeadline.now()
        var earliest = NIODeadline.distantFuture
        for entry in pending {
            if entry.deadline <= now {
                timeOut(now: now, context: context)
                return
            }
            earliest = min(earliest, entry.deadline)
        }
        armTimer(deadline: earliest, context: context)
    }

    private func timeOut(now: NIODeadline, context: ChannelHandlerContext) {
        isClosed = true
        closeReason = RedisError(code: .timeout)
        batchReplies = []
        while let entry = pending.popFirst() {
            entry.waiter.fail(RedisError(code: entry.deadline <= now ? .timeout : .connectionClosed))
        }
        context.close(promise: nil)
    }

    /// Closes the connection with `reason` unless it is already closing (connect timeout).
    func abort(reason: RedisError) {
        guard !isClosed else { return }
        closeReason = reason
        isClosed = true
        failAll(reason)
        context?.close(promise: nil)
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        closeAndFailAll(RedisError(code: .connectionClosed))
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        closeAndFailAll(RedisError(code: .connectionClosed))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let reason: RedisError
        if error is NIOSSLError || error is BoringSSLError {
            reason = RedisError(code: .tls, underlying: error)
        } else {
            reason = RedisError(code: .connectionClosed, underlying: error)
        }
        if closeReason == nil {
            closeReason = reason
        }
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let fed = buffer.withUnsafeReadableBytes { reader.feed($0) }
        guard fed else {
            protocolFailure(context: context)
            return
        }
        while !isClosed {
            switch reader.next() {
            case .needMoreData:
                return
            case .protocolError:
                protocolFailure(context: context)
                return
            case .reply(let value):
                deliver(value, context: context)
            }
        }
    }

    // MARK: Completing waiters

    private func deliver(_ value: RedisValue, context: ChannelHandlerContext) {
        guard let head = pending.first else {
            // A reply nobody asked for: the stream is out of step, so nothing after it can be trusted.
            protocolFailure(context: context)
            return
        }
        switch head.waiter {
        case .single(let continuation):
            pending.removeFirst()
            continuation.resume(returning: value)
        case .promise(let promise):
            pending.removeFirst()
            promise.succeed(value)
        case .batch(let continuation, let count):
            if batchReplies.isEmpty {
                batchReplies.reserveCapacity(count)
            }
            batchReplies.append(value)
            if batchReplies.count == count {
                pending.removeFirst()
                let replies = batchReplies
                batchReplies = []
                continuation.resume(returning: replies)
            }
        }
    }

    private func protocolFailure(context: ChannelHandlerContext) {
        let reason = RedisError(code: .protocolError)
        if closeReason == nil {
            closeReason = reason
        }
        isClosed = true
        failAll(reason)
        context.close(promise: nil)
    }

    private func closeAndFailAll(_ fallback: RedisError) {
        isClosed = true
        let reason = closeReason ?? fallback
        failAll(reason)
        timer?.cancel()
        timer = nil
    }

    private func failAll(_ reason: RedisError) {
        batchReplies = []
        while let entry = pending.popFirst() {
            entry.waiter.fail(reason)
        }
    }
}
