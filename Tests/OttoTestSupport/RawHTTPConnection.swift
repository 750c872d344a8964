import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import OttoCalls

/// One TCP connection to an HTTP server that sends exactly the bytes a test writes (a partial
/// head, a stalled body) and records what comes back and when the server closes it. Each
/// instance is its own connection, so tests of concurrency or slow clients are what they say.
public final class RawHTTPConnection: Sendable {
    private let channel: any Channel
    private let received: NIOLockedValueBox<[UInt8]>

    private init(channel: any Channel, received: NIOLockedValueBox<[UInt8]>) {
        self.channel = channel
        self.received = received
    }

    /// Connects to 127.0.0.1:`port`.
    public static func connect(port: Int, host: String = "127.0.0.1") async throws -> RawHTTPConnection {
        let received = NIOLockedValueBox<[UInt8]>([])
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(received: received))
                }
            }
            .connect(host: host, port: port)
            .get()
        return RawHTTPConnection(channel: channel, received: received)
    }

    /// Writes `text` as it is (no framing added).
    public func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    /// Every byte received so far, as text.
    public var receivedText: String {
        String(decoding: received.withLockedValue { $0 }, as: UTF8.self)
    }

    /// Whether the server has closed the connection (EOF or reset).
    public var isClosed: Bool { !channel.isActive }

    /// Waits until the server closes the connection; false when `timeout` passes first.
    public func waitForClose(timeout: Duration) async -> Bool {
        await eventually(timeout: timeout, every: .milliseconds(50)) { isClosed }
    }

    /// The first complete response (status line, headers and a `Content-Length` body), waiting
    /// at most `timeout`; nil when none came.
    public func response(timeout: Duration) async -> RawHTTPResponse? {
        var parsed: RawHTTPResponse?
        _ = await eventually(timeout: timeout, every: .milliseconds(20)) {
            parsed = RawHTTPResponse(parsing: receivedText)
            return parsed != nil
        }
        return parsed
    }

    /// Sends a complete GET and returns its response.
    public func get(_ path: String, headers: [String: String] = [:], timeout: Duration = .seconds(30)) async throws
        -> RawHTTPResponse?
    {
        var text = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        try await send(text + "\r\n")
        return await response(timeout: timeout)
    }

    /// Closes the connection from this side.
    public func close() async {
        try? await channel.close()
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received: NIOLockedValueBox<[UInt8]>

        init(received: NIOLockedValueBox<[UInt8]>) { self.received = received }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            received.withLockedValue { $0.append(contentsOf: buffer.readableBytesView) }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            // A reset by the server: the connection is closed, which is what tests wait for.
            context.close(promise: nil)
        }
    }
}
