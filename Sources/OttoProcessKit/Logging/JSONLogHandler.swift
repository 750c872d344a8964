import Logging
import OttoSupport

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
        var line: [UInt8] = []
        line.reserveCapacity(512)
        JSONText.appendRaw("{\"timestamp\":\"", to: &line)
        LogTimestamp.appendNow(to: &line)
        JSONText.appendRaw("\",\"level\":\"", to: &line)
        line.append(contentsOf: event.level.rawValue.utf8)
        JSONText.appendRaw("\",\"logger\":", to: &line)
        JSONText.appendString(label, to: &line)
        JSONText.appendRaw(",\"message\":", to: &line)
        JSONText.appendString(event.message.description, to: &line)
        // Sorted pairs, not sorted keys and a lookup each: no key is hashed twice.
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) where !Self.isReserved(key) {
            line.append(UInt8(ascii: ","))
            JSONText.appendString(key, to: &line)
            line.append(UInt8(ascii: ":"))
            JSONText.appendMetadata(value, to: &line)
        }
        JSONText.appendRaw("}\n", to: &line)
        output.write(line)
    }

    /// The four keys the handler writes itself; metadata with these names is dropped.
    private static func isReserved(_ key: String) -> Bool {
        key == "timestamp" || key == "level" || key == "logger" || key == "message"
    }
}
