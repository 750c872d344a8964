#if canImport(Glibc)
    import Glibc
#endif

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

    /// One JSON scalar: a string, a number (where its validated text lies in the bytes) or null.
    private enum Value {
        case string(String)
        case number(Range<Int>)
        case null
    }

    /// The envelope's keys, in ``TaskEnvelope/CodingKeys``' spelling; a value's slot is its index.
    private static let keys: [[UInt8]] = [
        "id", "name", "args", "queue", "attempt", "max_attempts", "enqueued_at", "due_at", "tenant_id", "dedup_key",
        "traceparent", "time_limit", "result_ttl", "last_error", "first_failed_at", "deferrals", "first_deferred_at",
    ].map { Array($0.utf8) }

    /// The slot of the key whose bytes (quotes excluded) lie in `range`, compared as bytes: no
    /// string is made for a known key.
    private func slot(_ range: Range<Int>) -> Int? {
        let key = UnsafeBufferPointer(rebasing: bytes[range])
        for (slot, candidate) in Self.keys.enumerated() where candidate.count == key.count {
            let equal = candidate.withUnsafeBufferPointer { memcmp($0.baseAddress!, key.baseAddress!, key.count) == 0 }
            if equal { return slot }
        }
        return nil
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
                guard take(UInt8(ascii: "\"")), let key = plainRange() else { return nil }
                skipSpace()
                guard take(UInt8(ascii: ":")) else { return nil }
                skipSpace()
                guard let value = value() else { return nil }
                if let slot = slot(key) {
                    guard values[slot] == nil else { return nil }
                    values[slot] = value
                } else {
                    // Unknown keys are ignored, as JSONDecoder ignores them; never twice.
                    let name = text(key)
                    guard !unknown.contains(name) else { return nil }
                    unknown.append(name)
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
        return envelope(values)
    }

    /// The envelope of the values (indexed by slot, in ``keys``' order), with `JSONDecoder`'s
    /// rules for each: required fields present and not null, optional ones absent or null,
    /// integers without fraction or exponent.
    private func envelope(_ values: [Value?]) -> TaskEnvelope? {
        func text(_ slot: Int) -> String?? {
            switch values[slot] {
            case nil, .null?: .some(nil)
            case .string(let value)?: .some(value)
            case .number?: nil
            }
        }
        func integer(_ slot: Int) -> Int?? {
            switch values[slot] {
            case nil, .null?: .some(nil)
            case .number(let range)?: integerValue(range).map { .some($0) }
            case .string?: nil
            }
        }
        func real(_ slot: Int) -> Double?? {
            switch values[slot] {
            case nil, .null?: .some(nil)
            case .number(let range)?: realValue(range).flatMap { $0.isFinite ? .some($0) : nil }
            case .string?: nil
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

    /// A validated number's value as an `Int`: nil when it has a fraction or an exponent, or
    /// does not fit (as `Int(String)` refuses them).
    private func integerValue(_ range: Range<Int>) -> Int? {
        var index = range.lowerBound
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var value = 0
        while index < range.upperBound {
            let byte = bytes[index]
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            let digit = Int(byte - 0x30)
            let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) =
                negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            guard !overflowTimes, !overflowSum else { return nil }
            value = sum
            index += 1
        }
        return value
    }

    /// Exact powers of ten as doubles (10^22 is the largest a double holds exactly).
    private static let powersOfTen: [Double] = (0...22).map { exponent in
        (0..<exponent).reduce(1.0) { power, _ in power * 10 }
    }

    /// A validated number's value as a `Double`, correctly rounded. What envelopes hold (unix
    /// times with milliseconds, small limits) takes the exact path: at most 15 significant
    /// digits are an exact double, and so is 10^k for k <= 22, so one IEEE division rounds
    /// correctly (Clinger's fast path). Anything else (an exponent, more digits) goes to
    /// `Double(String)`.
    private func realValue(_ range: Range<Int>) -> Double? {
        var index = range.lowerBound
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var mantissa: UInt64 = 0
        var digitCount = 0
        var fractionDigits = 0
        var inFraction = false
        while index < range.upperBound {
            let byte = bytes[index]
            if byte == UInt8(ascii: ".") {
                inFraction = true
            } else if byte >= 0x30, byte <= 0x39 {
                mantissa = mantissa &* 10 &+ UInt64(byte - 0x30)
                digitCount += 1
                if inFraction { fractionDigits += 1 }
            } else {
                break  // an exponent
            }
            index += 1
        }
        guard index == range.upperBound, digitCount <= 15, fractionDigits <= 22 else {
            return Double(text(range))
        }
        let magnitude = Double(mantissa) / Self.powersOfTen[fractionDigits]
        return negative ? -magnitude : magnitude
    }

    /// The bytes in `range` as a string (they came from a Swift string: valid UTF-8).
    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
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

    /// A number as JSON writes it (RFC 8259 §6): where its text lies.
    private mutating func number() -> Range<Int>? {
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
        return start..<index
    }

    private mutating func digits() -> Int {
        let start = index
        while let byte = current, (0x30...0x39).contains(byte) { index += 1 }
        return index - start
    }

    /// Where the rest of a string whose opening quote was taken lies (closing quote taken,
    /// not included), when it has no escape.
    private mutating func plainRange() -> Range<Int>? {
        let start = index
        while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), byte >= 0x20 { index += 1 }
        guard take(UInt8(ascii: "\"")) else { return nil }
        return start..<index - 1
    }

    /// The rest of a string whose opening quote was taken, with its escapes resolved.
    private mutating func string() -> String? {
        let start = index
        if let plain = plainRange() { return text(plain) }
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
