import NIOCore

/// Tells `SlowClientGuard` when raw bytes arrive, before the HTTP decoder buffers them.
final class ByteArrivalProbe: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let arrived: () -> Void

    init(arrived: @escaping () -> Void) {
        self.arrived = arrived
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        arrived()
        context.fireChannelRead(data)
    }
}

@available(*, unavailable)
extension ByteArrivalProbe: Sendable {}
