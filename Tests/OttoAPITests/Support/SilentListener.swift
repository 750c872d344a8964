import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import OttoCalls

/// A TCP listener that accepts connections and never answers: a hung dependency. It counts the
/// connections its clients closed, so a test can tell whether a client gave up on it.
final class SilentListener: Sendable {
    let channel: any Channel
    private let closes: NIOLockedValueBox<Int>
    var port: Int { channel.localAddress!.port! }
    /// Connections the clients have closed so far.
    var closedConnections: Int { closes.withLockedValue { $0 } }

    private init(channel: any Channel, closes: NIOLockedValueBox<Int>) {
        self.channel = channel
        self.closes = closes
    }

    static func start() async throws -> SilentListener {
        let closes = NIOLockedValueBox(0)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                // Swallow every byte and never reply; count the client's close.
                channel.closeFuture.whenComplete { _ in closes.withLockedValue { $0 += 1 } }
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return SilentListener(channel: channel, closes: closes)
    }

    func stop() async {
        try? await channel.close()
    }
}
