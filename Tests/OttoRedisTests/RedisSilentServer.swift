import NIOCore
import NIOPosix
import OttoCalls

/// A TCP listener that accepts connections and never answers: the shape of a hung Redis,
/// which must make commands time out instead of waiting forever.
struct RedisSilentServer {
    let channel: any Channel

    init() async throws {
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0).get()
    }

    var port: Int { channel.localAddress?.port ?? 0 }

    func close() async {
        try? await channel.close()
    }
}
