import OttoSupport
import W3CTraceContext

/// The W3C trace context of one request (`traceparent` and `tracestate`): continued from the
/// incoming headers or started here, logged as `trace_id` and handed to every task the request
/// enqueues.
///
/// The headers are parsed and formatted by swift-w3c-trace-context; this adapter adds what the
/// library leaves to its caller:
/// - a `traceparent` of a later version is read by its version-00 fields (W3C Trace Context,
///   "Versioning of traceparent"): at least 55 characters, and a `-` after the flags when more
///   follow; version `ff` is invalid. The library itself accepts version 00 only.
/// - `tracestate` list members: optional white space around them is dropped, and so are empty
///   members; more than 32 members discard the whole header; past 512 characters members over
///   128 characters go first, then members from the end ("tracestate Limits").
struct TraceContext: Sendable, Equatable {
    private(set) var value: W3CTraceContext.TraceContext

    /// 32 lower-case hex digits, never all zero.
    var traceID: String { value.traceID.description }
    /// This request's span id: 16 lower-case hex digits, never all zero.
    var spanID: String { value.spanID.description }
    /// Trace flags (`01` sampled).
    var flags: String { value.flags.description }

    /// The header to send downstream (and to store in enqueued tasks), always version 00.
    var traceparent: String { value.traceParentHeaderValue }
    /// The vendors' entries continued from the request, or nil when it sent none (or none valid).
    var tracestate: String? { value.traceStateHeaderValue }

    /// Continues `traceparent` when it is valid (a new span of the same trace, with the
    /// request's valid `tracestate`), otherwise starts a new trace and ignores `tracestate`.
    static func continuing(_ traceparent: String?, tracestate: String? = nil) -> TraceContext {
        guard let traceparent, let parent = versionZeroFields(traceparent),
            let parsed = try? W3CTraceContext.TraceContext(traceParentHeaderValue: parent)
        else { return start() }
        var state = TraceState()
        if let members = tracestate.flatMap(traceStateMembers),
            let withState = try? W3CTraceContext.TraceContext(
                traceParentHeaderValue: parent, traceStateHeaderValue: members.joined(separator: ","))
        {
            state = withState.state
        }
        return TraceContext(
            value: .init(traceID: parsed.traceID, spanID: randomSpanID(), flags: parsed.flags, state: state))
    }

    /// A new trace, sampled, with no trace state.
    static func start() -> TraceContext {
        var generator = FastRandomGenerator()
        var traceID = TraceID.random(using: &generator)
        while traceID == .null { traceID = TraceID.random(using: &generator) }
        return TraceContext(value: .init(traceID: traceID, spanID: randomSpanID(), flags: .sampled, state: .init()))
    }

    /// Parses a traceparent as it arrived (its parent id is the `spanID`); nil unless it is valid.
    static func parse(_ header: String) -> TraceContext? {
        guard let parent = versionZeroFields(header),
            let parsed = try? W3CTraceContext.TraceContext(traceParentHeaderValue: parent)
        else { return nil }
        return TraceContext(value: parsed)
    }

    /// The header as version 00 for the library: itself when its version is 00, its first 55
    /// characters under version 00 when a later version is well formed, nil otherwise.
    static func versionZeroFields(_ header: String) -> String? {
        let bytes = Array(header.utf8)
        guard bytes.count >= 55, isLowerHex(bytes[0]), isLowerHex(bytes[1]) else { return nil }
        if bytes[0] == UInt8(ascii: "0") && bytes[1] == UInt8(ascii: "0") {
            return bytes.count == 55 ? header : nil
        }
        guard !(bytes[0] == UInt8(ascii: "f") && bytes[1] == UInt8(ascii: "f")) else { return nil }
        guard bytes.count == 55 || bytes[55] == UInt8(ascii: "-") else { return nil }
        return "00" + String(decoding: bytes[2..<55], as: UTF8.self)
    }

    /// The non-empty list members of a `tracestate`, within the spec's limits; nil when there
    /// are none, or more than 32.
    static func traceStateMembers(_ header: String) -> [String]? {
        var members = header.split(separator: ",", omittingEmptySubsequences: false).map { member in
            String(member.drop(while: isOWS).reversed().drop(while: isOWS).reversed())
        }.filter { !$0.isEmpty }
        guard !members.isEmpty, members.count <= 32 else { return nil }
        func length(_ members: [String]) -> Int { members.reduce(members.count - 1) { $0 + $1.utf8.count } }
        while length(members) > 512 {
            if let long = members.lastIndex(where: { $0.utf8.count > 128 }) {
                members.remove(at: long)
            } else {
                members.removeLast()
            }
        }
        return members
    }

    private static func randomSpanID() -> SpanID {
        var generator = FastRandomGenerator()
        var spanID = SpanID.random(using: &generator)
        while spanID == .null { spanID = SpanID.random(using: &generator) }
        return spanID
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
    }

    private static func isOWS(_ character: Character) -> Bool { character == " " || character == "\t" }
}

/// `FastRandom` as a `RandomNumberGenerator`, for the library's random trace and span ids.
private struct FastRandomGenerator: RandomNumberGenerator {
    mutating func next() -> UInt64 { FastRandom.next() }
}
