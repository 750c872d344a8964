import OttoSupport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Writes the JSON of a ``TaskEnvelope`` (``TaskEnvelope/encoded()``) as one pass of appends,
/// without Foundation's `JSONEncoder`, which cost 49,000 instructions per envelope: a twentieth
/// of a signed webhook through the API (callgrind), and as much again for every retry a worker
/// writes. The mirror of ``TaskEnvelopeParser``.
///
/// The keys are ``TaskEnvelope/CodingKeys``' in their declared order (`JSONEncoder` wrote them
/// in hash order, different in every process), absent optionals are left out as `JSONEncoder`
/// leaves them out, and numbers are Swift's shortest text that reads back to the same value.
/// A non-finite time is refused as `JSONEncoder` refuses it.
enum TaskEnvelopeWriter {
    static func json(_ envelope: TaskEnvelope) throws -> String {
        var output: [UInt8] = []
        output.reserveCapacity(320 + envelope.arguments.utf8.count + (envelope.lastError?.utf8.count ?? 0))
        var first = true
        func key(_ name: StaticString) {
            output.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            output.append(UInt8(ascii: "\""))
            output.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            output.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        }
        func text(_ name: StaticString, _ value: String?) {
            guard let value else { return }
            key(name)
            JSONString.append(value, to: &output)
        }
        func integer(_ name: StaticString, _ value: Int?) {
            guard let value else { return }
            key(name)
            output.append(contentsOf: String(value).utf8)
        }
        func real(_ name: StaticString, _ value: Double?, _ codingKey: TaskEnvelope.CodingKeys) throws {
            guard let value else { return }
            guard value.isFinite else {
                throw EncodingError.invalidValue(
                    value,
                    EncodingError.Context(
                        codingPath: [codingKey], debugDescription: "Unable to encode \(value) directly in JSON."))
            }
            key(name)
            output.append(contentsOf: value.description.utf8)
        }
        text("id", envelope.id)
        text("name", envelope.name)
        text("args", envelope.arguments)
        text("queue", envelope.queue)
        integer("attempt", envelope.attempt)
        integer("max_attempts", envelope.maxAttempts)
        try real("enqueued_at", envelope.enqueuedAt, .enqueuedAt)
        try real("due_at", envelope.dueAt, .dueAt)
        text("tenant_id", envelope.tenantID)
        text("dedup_key", envelope.dedupKey)
        text("traceparent", envelope.traceparent)
        try real("time_limit", envelope.timeLimit, .timeLimit)
        integer("result_ttl", envelope.resultTTL)
        text("last_error", envelope.lastError)
        try real("first_failed_at", envelope.firstFailedAt, .firstFailedAt)
        integer("deferrals", envelope.deferrals)
        try real("first_deferred_at", envelope.firstDeferredAt, .firstDeferredAt)
        output.append(UInt8(ascii: "}"))
        return String(decoding: output, as: UTF8.self)
    }
}
