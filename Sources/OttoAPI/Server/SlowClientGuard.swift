import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import OttoCore
import OttoProcessKit

/// Closes connections whose clients are too slow, so trickling clients cannot hold the server's
/// connections (slowloris) and stalled uploads do not pin requests forever.
///
/// It sits after Hummingbird's HTTP decoding (`HTTP1Channel.Configuration.additionalChannelHandlers`)
/// and sees the decoded request parts; a small probe it puts at the front of the pipeline tells
/// it when raw bytes arrive (a trickling head produces no part until it is complete). One timer,
/// by phase (`HTTPConnectionLimits`):
/// - waiting for a head: `headerTimeout`, counted from the accept for a connection's first
///   request and from the first byte of each later one;
/// - between requests, no byte yet: `idleTimeout` from the end of the last response;
/// - reading a body: `bodyTimeout` without a byte while the server is asking for more (when the
///   application is busy and NIO's backpressure stops reading, the client is not at fault and
///   no time is counted);
/// - the server working on a request: no timer (that is the server's own time).
/// A timed-out connection is closed without a response. A head larger than the decoder's limit
/// gets 431 and the connection is closed. `closed` reports each such close (for metrics).
final class SlowClientGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Why the guard closed a connection (the metric's `reason` label).
    enum Reason: String, Sendable {
        case headerTimeout = "header_timeout"
        case bodyTimeout = "body_timeout"
        case idleTimeout = "idle_timeout"
        case headerTooLarge = "header_too_large"
    }

    private let limits: HTTPConnectionLimits
    private let closed: @Sendable (Reason) -> Void

    private var context: ChannelHandlerContext?
    private var started = false
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?
    /// Requests whose head was read and whose response has not ended yet.
    private var inProgress = 0
    /// Between a request's head and its end.
    private var readingBody = false
    /// When the head being waited for began: the accept, or the first byte after a response.
    private var headSince: NIODeadline?
    /// When the connection fell idle: the end of the last request and response.
    private var idleSince: NIODeadline?
    /// When the server asked for bytes that have not come yet (nil: not asking, or bytes came).
    private var waitingSince: NIODeadline?

    init(limits: HTTPConnectionLimits, closed: @escaping @Sendable (Reason) -> Void) {
        self.limits = limits
        self.closed = closed
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let probe = ByteArrivalProbe { [weak self] in self?.bytesArrived() }
        // Before the decoder, so raw bytes are seen as they come; the pipeline is being built
        // on the channel's event loop, like this handler.
        try? context.pipeline.syncOperations.addHandler(probe, position: .first)
        if context.channel.isActive { start() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        start()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            inProgress += 1
            readingBody = true
            headSince = nil
            idleSince = nil
        case .body:
            break
        case .end:
            readingBody = false
            // A response that ended before its request (an early refusal) leaves nothing in progress.
            if inProgress == 0 { idleSince = .now() }
        }
        reschedule()
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        if waitingSince == nil { waitingSince = .now() }
        if readingBody { reschedule() }
        context.read()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            inProgress -= 1
            if inProgress == 0, !readingBody {
                idleSince = .now()
                headSince = nil
            }
            reschedule()
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // An oversized head, before any response is under way: answer 431 ourselves (the
        // framework would answer 400) and close.
        if let parserError = error as? HTTPParserError, parserError == .headerOverflow, inProgress == 0 {
            closed(.headerTooLarge)
            var fields = HTTPFields()
            fields[.connection] = "close"
            fields[.contentLength] = "0"
            context.write(
                wrapOutboundOut(.head(HTTPResponse(status: .requestHeaderFieldsTooLarge, headerFields: fields))),
                promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            context.close(promise: nil)
            return
        }
        context.fireErrorCaught(error)
    }

    private func start() {
        guard !started else { return }
        started = true
        headSince = .now()
        reschedule()
    }

    private func bytesArrived() {
        waitingSince = nil
        if !readingBody, inProgress == 0, headSince == nil {
            headSince = .now()
            idleSince = nil
            reschedule()
        }
    }

    /// The deadline of the current phase, if it has one.
    private func deadline() -> (at: NIODeadline, reason: Reason)? {
        if readingBody {
            guard let waitingSince else { return nil }
            return (waitingSince + TimeAmount(limits.bodyTimeout), .bodyTimeout)
        }
        if inProgress > 0 { return nil }
        if let headSince { return (headSince + TimeAmount(limits.headerTimeout), .headerTimeout) }
        if let idleSince { return (idleSince + TimeAmount(limits.idleTimeout), .idleTimeout) }
        return nil
    }

    /// Makes sure a timer fires no later than the current deadline. A pending timer that fires
    /// earlier is kept: it re-evaluates when it fires, so most events touch no timer at all.
    private func reschedule() {
        guard let context, let wanted = deadline() else { return }
        if let timerDeadline, timerDeadline <= wanted.at { return }
        timer?.cancel()
        timerDeadline = wanted.at
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: wanted.at) { [weak self] in
            self?.timerFired()
        }
    }

    private func timerFired() {
        timer = nil
        timerDeadline = nil
        guard let context, let current = deadline() else { return }
        if current.at <= .now() {
            closed(current.reason)
            context.close(promise: nil)
        } else {
            reschedule()
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
        timerDeadline = nil
    }
}

@available(*, unavailable)
extension SlowClientGuard: Sendable {}
