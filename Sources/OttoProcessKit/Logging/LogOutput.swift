import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// Where log lines go: standard output, or a buffer a test reads.
public final class LogOutput: Sendable {
    private let lines: NIOLockedValueBox<[String]>?
    private let lock = NIOLock()

    private init(capture: Bool) { lines = capture ? NIOLockedValueBox([]) : nil }

    /// Standard output, one write per line.
    public static let standardOutput = LogOutput(capture: false)
    /// A buffer for tests.
    public static func capturing() -> LogOutput { LogOutput(capture: true) }

    /// The lines captured so far (tests only).
    public var capturedLines: [String] { lines?.withLockedValue { $0 } ?? [] }

    /// Writes one line (its UTF-8 bytes, newline included) whole: lines from different threads
    /// never interleave.
    func write(_ line: [UInt8]) {
        if let lines {
            lines.withLockedValue { $0.append(String(decoding: line, as: UTF8.self)) }
            return
        }
        lock.withLock {
            line.withUnsafeBufferPointer { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(1, buffer.baseAddress! + offset, buffer.count - offset)
                    if written <= 0 { break }
                    offset += written
                }
            }
        }
    }
}
