import Logging
import NIOConcurrencyHelpers
import OttoSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A swift-log handler that writes one JSON object per line, metadata keys at the top level,
/// so Fly's log shipping and `jq` read it without a schema.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let output: LogOutput

    /// A handler for `label` writing to `output` (stdout unless a test captures lines).
    public init(label: String, output: LogOutput = .standardOutput, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.output = output
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // The common cases copy no dictionary: only the event's metadata, or only the handler's.
        var merged: Logger.Metadata
        let provided = metadataProvider?.get() ?? [:]
        if metadata.isEmpty, provided.isEmpty {
            merged = event.metadata ?? [:]
        } else {
            merged = metadata
            if !provided.isEmpty { merged.merge(provided) { _, new in new } }
            if let extra = event.metadata, !extra.isEmpty { merged.merge(extra) { _, new in new } }
        }
        var line = "{\"timestamp\":\""
        line += LogTimestamp.now()
        line += "\",\"level\":\""
        line += event.level.rawValue
        line += "\",\"logger\":"
        JSONText.appendString(label, to: &line)
        line += ",\"message\":"
        JSONText.appendString(event.message.description, to: &line)
        for key in merged.keys.sorted() where !Self.reserved.contains(key) {
            line += ","
            JSONText.appendString(key, to: &line)
            line += ":"
            JSONText.appendMetadata(merged[key]!, to: &line)
        }
        line += "}\n"
        output.write(line)
    }

    private static let reserved: Set<String> = ["timestamp", "level", "logger", "message"]
}

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

    func write(_ line: String) {
        if let lines {
            lines.withLockedValue { $0.append(line) }
            return
        }
        lock.withLock {
            var copy = line
            copy.withUTF8 { buffer in
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
