#if canImport(Glibc)
    import Glibc
#endif

/// Reads a ``TaskEnvelope`` from the JSON ``TaskEnvelope/encoded()`` writes in one pass over
/// its UTF-8 bytes, without Foundation's `JSONDecoder` (which took a fifth of a worker's CPU at
/// full speed, about as much as the rest of a task's decoding and bookkeeping together).
///
/// It reads one flat object (``FlatJSONScanner``) whose values are strings, numbers and null,
/// which is all an envelope holds. Anything else returns nil: a nested value, a malformed escape or number, a
/// duplicate key, a value of the wrong type, an integer field holding a fraction, trailing
/// bytes. ``TaskEnvelope/decode(_:)`` then decodes with `JSONDecoder`, so what is accepted and
/// every error are exactly as before, and only the envelopes workers write take the fast path.
enum TaskEnvelopeParser {
    /// The envelope `text` holds, or nil when the fast path does not apply.
    static func parse(_ text: String) -> TaskEnvelope? {
        var text = text
        return text.withUTF8 { buffer in
            var scanner = FlatJSONScanner(buffer)
            var values = [FlatJSONScanner.Value?](repeating: nil, count: keys.count)
            var unknown: [String] = []
            let read = scanner.members { key, value in
                if let slot = slot(key, in: buffer) {
                    guard values[slot] == nil else { return false }
                    values[slot] = value
                } else {
                    // Unknown keys are ignored, as JSONDecoder ignores them; never twice.
                    let name = FlatJSONScanner.text(key, in: buffer)
                    guard !unknown.contains(name) else { return false }
                    unknown.append(name)
                }
                return true
            }
            return read ? envelope(values, scanner) : nil
        }
    }

    /// The envelope's keys, in ``TaskEnvelope/CodingKeys``' spelling; a value's slot is its index.
    private static let keys: [[UInt8]] = [
        "id", "name", "args", "queue", "attempt", "max_attempts", "enqueued_at", "due_at", "tenant_id", "dedup_key",
        "traceparent", "time_limit", "result_ttl", "last_error", "first_failed_at", "deferrals", "first_deferred_at",
    ].map { Array($0.utf8) }

    /// The slot of the key whose bytes (quotes excluded) lie in `range`, compared as bytes: no
    /// string is made for a known key.
    private static func slot(_ range: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let key = UnsafeBufferPointer(rebasing: bytes[range])
        for (slot, candidate) in keys.enumerated() where candidate.count == key.count {
            let equal = candidate.withUnsafeBufferPointer { memcmp($0.baseAddress!, key.baseAddress!, key.count) == 0 }
            if equal { return slot }
        }
        return nil
    }

    /// The envelope of the values (indexed by slot, in ``keys``' order), with `JSONDecoder`'s
    /// rules for each: required fields present and not null, optional ones absent or null,
    /// integers without fraction or exponent.
    private static func envelope(_ values: [FlatJSONScanner.Value?], _ scanner: FlatJSONScanner) -> TaskEnvelope? {
        func text(_ slot: Int) -> String?? {
            switch values[slot] {
            case nil, .null?: .some(nil)
            case .string(let value)?: .some(value)
            case .number?, .bool?: nil
            }
        }
        func integer(_ slot: Int) -> Int?? {
            switch values[slot] {
            case nil, .null?: .some(nil)
            case .number(let range)?: scanner.integerValue(range).map { .some($0) }
            case .string?, .bool?: nil
            }
        }
        func real(_ slot: Int) -> Double?? {
            switch values[slot] {
            case nil, .null?: .some(nil)
            case .number(let range)?: scanner.realValue(range).flatMap { $0.isFinite ? .some($0) : nil }
            case .string?, .bool?: nil
            }
        }
        guard let id = text(0) ?? nil, let name = text(1) ?? nil, let arguments = text(2) ?? nil,
            let queue = text(3) ?? nil, let attempt = integer(4) ?? nil, let maxAttempts = integer(5) ?? nil,
            let enqueuedAt = real(6) ?? nil, let dueAt = real(7) ?? nil, let tenantID = text(8),
            let dedupKey = text(9), let traceparent = text(10), let timeLimit = real(11) ?? nil,
            let resultTTL = integer(12), let lastError = text(13), let firstFailedAt = real(14),
            let deferrals = integer(15), let firstDeferredAt = real(16)
        else { return nil }
        return TaskEnvelope(
            id: id, name: name, arguments: arguments, queue: queue, attempt: attempt, maxAttempts: maxAttempts,
            enqueuedAt: enqueuedAt, dueAt: dueAt, tenantID: tenantID, dedupKey: dedupKey, traceparent: traceparent,
            timeLimit: timeLimit, resultTTL: resultTTL, lastError: lastError, firstFailedAt: firstFailedAt,
            deferrals: deferrals, firstDeferredAt: firstDeferredAt)
    }
}
