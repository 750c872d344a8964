/// Reads a ``TaskEnvelope`` from the JSON ``TaskEnvelope/encoded()`` writes in one pass over
/// its UTF-8 bytes, without Foundation's `JSONDecoder` (which took a fifth of a worker's CPU at
/// full speed, about as much as the rest of a task's decoding and bookkeeping together).
///
/// It reads one flat object whose values are strings, numbers and null, which is all an
/// envelope holds. Anything else returns nil: a nested value, a malformed escape or number, a
/// duplicate key, a value of the wrong type, an integer field holding a fraction, trailing
/// bytes. ``TaskEnvelope/decode(_:)`` then decodes with `JSONDecoder`, so what is accepted and
/// every error are exactly as before, and only the envelopes workers write take the fast path.
struct TaskEnvelopeParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The envelope `text` holds, or nil when the fast path does not apply.
    static func parse(_ text: String) -> TaskEnvelope? {
        var text = text
        return text.withUTF8 { buffer in
            var parser = TaskEnvelopeParser(buffer)
            return parser.envelope()
        }
    }

    /// One JSON scalar: a string, a number (its text, validated) or null.
    private enum Value {
        case string(String)
        case number(String)
        case null
    }

    /// The envelope's keys, in ``TaskEnvelope/CodingKeys``' spelling; a value's slot is its index.
    private static let keys = [
        "id", "name", "args", "queue", "attempt", "max_attempts", "enqueued_at", "due_at", "tenant_id", "dedup_key",
        "traceparent", "time_limit", "result_ttl", "last_error", "first_failed_at", "deferrals", "first_deferred_at",
    ]

    private static func slot(_ key: String) -> Int? {
        switch key {
        case "id": 0
        case "name": 1
        case "args": 2
        case "queue": 3
        case "attempt": 4
        case "max_attempts": 5
        case "enqueued_at": 6
        case "due_at": 7
        case "tenant_id": 8
        case "dedup_key": 9
        case "traceparent": 10
        case "time_limit": 11
        case "result_ttl": 12
        case "last_error": 13
        case "first_failed_at": 14
        case "deferrals": 15
        case "first_deferred_at": 16
        default: nil
        }
    }

    private mutating func envelope() -> TaskEnvelope? {
        var values = [Value?](repeating: nil, count: Self.keys.count)
        var unknown: [String] = []
        skipSpace()
        guard take(UInt8(ascii: "{")) else { return nil }
        skipSpace()
        if !take(UInt8(ascii: "}")) {
            while true {
                // A key with an escape in it is left to JSONDecoder.
                guard take(UInt8(ascii: "\"")), let key = plainString() else { return nil }
                skipSpace()
                guard take(UInt8(ascii: ":")) else { return nil }
                skipSpace()
                guard let value = value() else { return nil }
                if let slot = Self.slot(key) {
                    guard values[slot] == nil else { return nil }
                    values[slot] = value
                } else {
                    // Unknown keys are ignored, as JSONDecoder ignores them; never twice.
                    guard !unknown.contains(key) else { return nil }
                    unknown.append(key)
                }
                skipSpace()
                if take(UInt8(ascii: ",")) {
                    skipSpace()
                    continue
                }
                guard take(UInt8(ascii: "}")) else { return nil }
                break
            }
        }
        skipSpace()
        guard index == bytes.count else { return nil }
        return Self.envelope(values)
    }

    /// The envelope of the values, with `JSONDecoder`'s rules for each: required fields present
    /// and not null, optional ones absent or null, integers without fraction or exponent.
    private static func envelope(_ values: [Value?]) -> TaskEnvelope? {
        func field(_ key: String) -> Value? { values[slot(key)!] }
        func text(_ key: String) -> String?? {
            switch field(key) {
            case nil, .null?: .some(nil)
            case .string(let value)?: .some(value)
            case .number?: nil
            }
        }
        func integer(_ key: String) -> Int?? {
            switch field(key) {
            case nil, .null?: .some(nil)
            case .number(let value)?: Int(value).map { .some($0) }
            case .string?: nil
            }
        }
        func real(_ key: String) -> Double?? {
            switch field(key) {
            case nil, .null?: .some(nil)
            case .number(let value)?: Double(value).flatMap { $0.isFinite ? .some($0) : nil }
            case .string?: nil
            }
        }
        guard let id = text("id") ?? nil, let name = text("name") ?? nil, let arguments = text("args") ?? nil,
            let queue = text("queue") ?? nil, let attempt = integer("attempt") ?? nil,
            let maxAttempts = integer("max_attempts") ?? nil, let enqueuedAt = real("enqueued_at") ?? nil,
            let dueAt = real("due_at") ?? nil, let timeLimit = real("time_limit") ?? nil,
            let tenantID = text("tenant_id"), let dedupKey = text("dedup_key"),
            let traceparent = text("traceparent"), let resultTTL = integer("result_ttl"),
            let lastError = text("last_error"), let firstFailedAt = real("first_failed_at"),
            let deferrals = integer("deferrals"), let firstDeferredAt = real("first_deferred_at")
        else { return nil }
        return TaskEnvelope(
            id: id, name: name, arguments: arguments, queue: queue, attempt: attempt, maxAttempts: maxAttempts,
            enqueuedAt: enqueuedAt, dueAt: dueAt, tenantID: tenantID, dedupKey: dedupKey, traceparent: traceparent,
            timeLimit: timeLimit, resultTTL: resultTTL, lastError: lastError, firstFailedAt: firstFailedAt,
            deferrals: deferrals, firstDeferredAt: firstDeferredAt)
    }

    // MARK: Bytes

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard current == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipSpace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private mutating func value() -> Value? {
        switch current {
        case UInt8(ascii: "\"")?:
            index += 1
            return string().map(Value.string)
        case UInt8(ascii: "n")?:
            guard literal("null") else { return nil }
            return .null
        case let byte? where byte == UInt8(ascii: "-") || (0x30...0x39).contains(byte):
            return number().map(Value.number)
        default:
            return nil
        }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        index += count
        return true
    }

    /// A number as JSON writes it (RFC 8259 §6), as its text.
    private mutating func number() -> String? {
        let start = index
        _ = take(UInt8(ascii: "-"))
        if take(UInt8(ascii: "0")) {
            if let byte = current, (0x30...0x39).contains(byte) { return nil }  // no leading zeros
        } else if digits() == 0 {
            return nil
        }
        if take(UInt8(ascii: ".")), digits() == 0 { return nil }
        if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
            if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
            if digits() == 0 { return nil }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    private mutating func digits() -> Int {
        let start = index
        while let byte = current, (0x30...0x39).contains(byte) { index += 1 }
        return index - start
    }

    /// The rest of a string whose opening quote was taken, when it has no escape.
    private mutating func plainString() -> String? {
        let start = index
        while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), byte >= 0x20 { index += 1 }
        guard take(UInt8(ascii: "\"")) else { return nil }
        // The bytes came from a Swift string, so they are valid UTF-8.
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index - 1]), as: UTF8.self)
    }

    /// The rest of a string whose opening quote was taken, with its escapes resolved.
    private mutating func string() -> String? {
        let start = index
        if let plain = plainString() { return plain }
        index = start
        var scalars = String.UnicodeScalarView()
        var run = start
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                if index > run {
                    scalars.append(
                        contentsOf: String(decoding: UnsafeBufferPointer(rebasing: bytes[run..<index]), as: UTF8.self)
                            .unicodeScalars)
                }
                index += 1
                if byte == UInt8(ascii: "\"") { return String(scalars) }
                guard let scalar = escape() else { return nil }
                scalars.append(scalar)
                run = index
            case ..<0x20:
                return nil  // control characters must be escaped
            default:
                index += 1
            }
        }
        return nil
    }

    /// The scalar of one escape whose backslash was taken.
    private mutating func escape() -> Unicode.Scalar? {
        guard let byte = current else { return nil }
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            guard let unit = hex4() else { return nil }
            switch unit {
            case 0xD800...0xDBFF:
                // A high surrogate must be followed by an escaped low one.
                guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")), let low = hex4(),
                    (0xDC00...0xDFFF).contains(low)
                else { return nil }
                return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
            case 0xDC00...0xDFFF:
                return nil
            default:
                return Unicode.Scalar(unit)
            }
        default:
            return nil
        }
    }

    private mutating func hex4() -> UInt32? {
        guard bytes.count - index >= 4 else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }
}
