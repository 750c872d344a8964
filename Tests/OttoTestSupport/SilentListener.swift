import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A TCP listener on loopback that accepts connections and never answers: a hung dependency
/// (a PostgreSQL or Redis that takes the connection and sends nothing). It swallows every byte
/// it is sent and counts the connections its clients closed, so a test can tell whether a client
/// gave up on it. `stop()` closes the connections it still holds too, so a client blocked on one
/// (libpq waiting for the server's first reply) is released when the test ends.
public final class SilentListener: Sendable {
    private let channel: any Channel
    private let closes: NIOLockedValueBox<Int>
    private let accepted: NIOLockedValueBox<[any Channel]>
    /// The port it listens on (127.0.0.1).
    public var port: Int { channel.localAddress!.port! }
    /// Connections accepted so far.
    public var acceptedConnections: Int { accepted.withLockedValue { $0.count } }
    /// Connections the clients have closed so far.
    public var closedConnections: Int { closes.withLockedValue { $0 } }

    private init(channel: any Channel, closes: NIOLockedValueBox<Int>, accepted: NIOLockedValueBox<[any Channel]>) {
        self.channel = channel
        self.closes = closes
        self.accepted = accepted
    }

    /// Listens on a port the system picks.
    public static func start() async throws -> SilentListener {
        let closes = NIOLockedValueBox(0)
        let accepted = NIOLockedValueBox<[any Channel]>([])
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                // Swallow every byte and never reply; count the client's close.
                accepted.withLockedValue { $0.append(channel) }
                channel.closeFuture.whenComplete { _ in closes.withLockedValue { $0 += 1 } }
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return SilentListener(channel: channel, closes: closes, accepted: accepted)
    }

    /// Stops accepting connections and closes the ones it holds.
    public func stop() async {
        try? await channel.close()
        for connection in accepted.withLockedValue({ $0 }) { try? await connection.close() }
    }
}
