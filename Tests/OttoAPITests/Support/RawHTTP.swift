import NIOCore
import NIOPosix
import OttoCalls

/// HTTP/1.1 over a TCP connection of its own to the running test server: what Hummingbird's live
/// test client cannot do (it has one connection, so "concurrent" requests reach the server one
/// after another), and byte-level control of what is sent when.
enum RawHTTP {
    /// A connection to 127.0.0.1:`port`, for `executeThenClose`.
    static func connect(port: Int) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// `GET path` with `Connection: close` on a new connection; everything the server sent (head
    /// and body) until it closed the connection.
    static func get(_ path: String, port: Int, headers: [String] = []) async throws -> String {
        let channel = try await connect(port: port)
        let head = (["GET \(path) HTTP/1.1", "Host: localhost", "Connection: close"] + headers).joined(
            separator: "\r\n")
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: head + "\r\n\r\n"))
            var text = ""
            for try await part in inbound { text += String(buffer: part) }
            return text
        }
    }

    /// The status code of a raw response ("HTTP/1.1 200 OK…" → 200).
    static func status(_ response: String) -> Int? {
        let parts = response.prefix(while: { $0 != "\r" }).split(separator: " ")
        return parts.count >= 2 ? Int(parts[1]) : nil
    }

    /// The body of a raw response (after the blank line; not de-chunked).
    static func body(_ response: String) -> String {
        guard let range = response.range(of: "\r\n\r\n") else { return "" }
        return String(response[range.upperBound...])
    }
}
