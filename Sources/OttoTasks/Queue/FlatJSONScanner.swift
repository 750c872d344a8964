import OttoSupport

/// One pass over the UTF-8 bytes of a flat JSON object (RFC 8259): members whose values are
/// strings, numbers, booleans and null. The task envelope's reader (``TaskEnvelopeParser``) and
/// the arguments' (``FlatJSONDecoder``) are built on it; both leave anything else (a nested
/// value, an escape in a key, a malformed escape or number, trailing bytes) to Foundation's
/// `JSONDecoder`, which then decides with its own value or error.
struct FlatJSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// One JSON scalar: a string, a number (where its validated text lies in the bytes), a
    /// boolean or null.
    enum Value {
        case string(String)
        case number(Range<Int>)
        case bool(Bool)
        case null
    }

    /// Reads the whole text as one object, calling `visit` with each member's key (where its
    /// bytes lie, quotes excluded) and value in order. False when the text is not such an object
    /// (or a key has an escape), or when `visit` returned false.
    mutating func members(_ visit: (_ key: Range<Int>, _ value: Value) -> Bool) -> Bool {
        skipSpace()
        guard take(UInt8(ascii: "{")) else { return false }
        skipSpace()
        if !take(UInt8(ascii: "}")) {
            while true {
                guard take(UInt8(ascii: "\"")), let key = plainRange() else { return false }
                skipSpace()
                guard take(UInt8(ascii: ":")) else { return false }
                skipSpace()
                guard let value = value(), visit(key, value) else { return false }
                skipSpace()
                if take(UInt8(ascii: ",")) {
                    skipSpace()
                    continue
                }
                guard take(UInt8(ascii: "}")) else { return false }
                break
            }
        }
        skipSpace()
        return index == bytes.count
    }

    /// A validated number's value as an `Int`: nil when it has a fraction or an exponent, or
    /// does not fit (as `Int(String)` refuses them).
    func integerValue(_ range: Range<Int>) -> Int? {
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
    func realValue(_ range: Range<Int>) -> Double? {
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
    func text(_ range: Range<Int>) -> String { Self.text(range, in: bytes) }

    /// ``text(_:)`` for a caller that holds the bytes while the scanner is busy (in `members`).
    static func text(_ range: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) -> String {
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
        case UInt8(ascii: "t")?:
            guard literal("true") else { return nil }
            return .bool(true)
        case UInt8(ascii: "f")?:
            guard literal("false") else { return nil }
            return .bool(false)
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

    /// A number as JSON writes it (``JSONNumber``): where its text lies.
    private mutating func number() -> Range<Int>? {
        guard let end = JSONNumber.end(in: bytes, from: index) else { return nil }
        defer { index = end }
        return index..<end
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
