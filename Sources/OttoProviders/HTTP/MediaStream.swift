import AsyncHTTPClient
import NIOCore

/// A recording's bytes as they arrive from the provider, never held whole: pass it on as the
/// body of the next request (Deepgram's upload) and it streams through.
///
/// The first bytes are checked against the container the answer claimed (a RIFF/WAVE header,
/// an MP3 frame or ID3 tag): an HTML error page served with 200 fails as
/// ``ProviderError/Kind/invalidResponse(reason:)`` instead of reaching the transcriber. A
/// stream cut short fails as ``ProviderError/Kind/unavailable(status:)``. Iterate it once.
public struct MediaStream: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    let body: HTTPClientResponse.Body
    let provider: ProviderName
    let container: AudioContainer?

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(inner: body.makeAsyncIterator(), provider: provider, container: container)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var inner: HTTPClientResponse.Body.AsyncIterator
        let provider: ProviderName
        let container: AudioContainer?
        var checked = false

        public mutating func next() async throws -> ByteBuffer? {
            guard !checked else { return try await read() }
            checked = true
            // Enough bytes to tell the container (a chunk may be shorter than a header).
            var head = ByteBuffer()
            while head.readableBytes < AudioContainer.sniffLength, var chunk = try await read() {
                head.writeBuffer(&chunk)
            }
            guard head.readableBytes > 0 else { return nil }
            let found = AudioContainer(sniffing: head.readableBytesView)
            guard let found, container == nil || found == container else {
                throw ProviderError(
                    provider,
                    .invalidResponse(reason: "the media is not \(container.map { "\($0)" } ?? "WAV or MP3") audio"))
            }
            return head
        }

        private mutating func read() async throws -> ByteBuffer? {
            do {
                return try await inner.next()
            } catch {
                throw ProviderHTTPClient.transportError(error, provider: provider)
            }
        }
    }
}
