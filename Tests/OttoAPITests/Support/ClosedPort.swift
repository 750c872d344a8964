import NIOCore
import NIOPosix
import OttoCalls

/// A loopback port that refuses connections: bound once to learn a free number, then closed.
enum ClosedPort {
    static func find() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 1
        try await channel.close()
        return port
    }
}
