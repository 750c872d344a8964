import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// Collects a response body into memory (for storing an idempotent response).
struct CollectingBodyWriter: ResponseBodyWriter {
    let sink: Sink

    final class Sink: Sendable {
        private let storage = NIOLockedValueBox(ByteBuffer())
        func append(_ buffer: ByteBuffer) {
            storage.withLockedValue { stored in
                var buffer = buffer
                stored.writeBuffer(&buffer)
            }
        }
        var buffer: ByteBuffer { storage.withLockedValue { $0 } }
    }

    mutating func write(_ buffer: ByteBuffer) async throws { sink.append(buffer) }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
