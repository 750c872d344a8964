import NIOCore

/// A silent 8 kHz 16-bit PCM WAV (Twilio's format), delivered in chunks as a download would be.
enum TestAudio {
    static func wav(seconds: Int, channels: Int) -> [UInt8] {
        let rate = 8000
        let dataSize = seconds * rate * channels * 2
        var bytes: [UInt8] = []
        func append(_ text: String) { bytes += Array(text.utf8) }
        func append32(_ value: Int) { bytes += (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }
        func append16(_ value: Int) { bytes += (0..<2).map { UInt8((value >> (8 * $0)) & 0xFF) } }
        append("RIFF")
        append32(36 + dataSize)
        append("WAVE")
        append("fmt ")
        append32(16)
        append16(1)  // PCM
        append16(channels)
        append32(rate)
        append32(rate * channels * 2)
        append16(channels * 2)
        append16(16)
        append("data")
        append32(dataSize)
        bytes += [UInt8](repeating: 0, count: dataSize)
        return bytes
    }

    /// `bytes` as a stream of `chunk`-sized buffers.
    static func stream(_ bytes: [UInt8], chunk: Int = 16 << 10) -> AsyncStream<ByteBuffer> {
        AsyncStream { continuation in
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + chunk, bytes.count)
                continuation.yield(ByteBuffer(bytes: bytes[offset..<end]))
                offset = end
            }
            continuation.finish()
        }
    }
}

extension AsyncSequence where Element == ByteBuffer {
    /// Every byte of the stream, and how many chunks it came in.
    func collectAll() async throws -> (bytes: [UInt8], chunks: Int) {
        var bytes: [UInt8] = []
        var chunks = 0
        for try await buffer in self {
            bytes += buffer.readableBytesView
            chunks += 1
        }
        return (bytes, chunks)
    }
}
