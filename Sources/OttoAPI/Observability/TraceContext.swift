import OttoCore
import OttoSupport

/// A W3C trace context (`traceparent`): continued from an incoming request or started here,
/// logged as `trace_id` and handed to every task the request enqueues.
///
/// Hand-written rather than a dependency: the header is one fixed 55-character format
/// (`00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`).
struct TraceContext: Sendable, Equatable {
    /// 32 lower-case hex digits, never all zero.
    var traceID: String
    /// This request's span id: 16 lower-case hex digits, never all zero.
    var spanID: String
    /// Trace flags (`01` sampled).
    var flags: String

    /// The header to send downstream (and to store in enqueued tasks).
    var traceparent: String { "00-\(traceID)-\(spanID)-\(flags)" }

    /// Continues `header` when it is a valid version-00 traceparent (a new span of the same
    /// trace), otherwise starts a new trace.
    static func continuing(_ header: String?) -> TraceContext {
        guard let header, let parsed = parse(header) else { return start() }
        return TraceContext(traceID: parsed.traceID, spanID: randomHex(bytes: 8), flags: parsed.flags)
    }

    /// A new trace, sampled.
    static func start() -> TraceContext {
        TraceContext(traceID: randomHex(bytes: 16), spanID: randomHex(bytes: 8), flags: "01")
    }

    /// Parses a traceparent; nil unless it is well formed (lower-case hex, non-zero ids, and a
    /// version other than `ff`; later versions may append fields after the flags).
    static func parse(_ header: String) -> TraceContext? {
        let parts = header.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4 else { return nil }
        let version = parts[0]
        let traceID = parts[1]
        let parentID = parts[2]
        let flags = parts[3]
        guard version.count == 2, isHex(version), version != "ff" else { return nil }
        if version == "00" && (parts.count != 4 || header.utf8.count != 55) { return nil }
        guard traceID.count == 32, isHex(traceID), !traceID.allSatisfy({ $0 == "0" }) else { return nil }
        guard parentID.count == 16, isHex(parentID), !parentID.allSatisfy({ $0 == "0" }) else { return nil }
        guard flags.count == 2, isHex(flags) else { return nil }
        return TraceContext(traceID: String(traceID), spanID: String(parentID), flags: String(flags))
    }

    private static func isHex(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    private static func randomHex(bytes: Int) -> String {
        FastRandom.hex(bytes: bytes)
    }
}
