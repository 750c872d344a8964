/// One RESP2 reply, decoded by hiredis and copied out of C memory so it can cross tasks.
///
/// Bulk strings stay bytes (`[UInt8]`) because Redis values are binary safe; the
/// accessors below give the common String and Int views without forcing a copy policy.
public enum RedisValue: Sendable, Hashable {
    case null
    case simpleString(String)
    case error(String)
    case integer(Int64)
    case bulkString([UInt8])
    case array([RedisValue])

    /// The text of a simple string or a UTF-8 bulk string; nil for other cases or invalid UTF-8.
    public var string: String? {
        switch self {
        case .simpleString(let text):
            return text
        case .bulkString(let bytes):
            return String(validating: bytes, as: UTF8.self)
        default:
            return nil
        }
    }

    /// An integer reply, or a string reply that holds only a decimal integer (Redis often
    /// answers numbers as bulk strings, e.g. `HGET` or `ZSCORE` of whole numbers).
    public var int: Int? {
        switch self {
        case .integer(let value):
            return Int(exactly: value)
        case .simpleString(let text):
            return Int(text)
        case .bulkString(let bytes):
            return Self.parseInt(bytes)
        default:
            return nil
        }
    }

    /// The elements of an array reply; nil for every other case (including a null array).
    public var array: [RedisValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// True for the RESP2 null bulk string and null array.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// Parses `-?[0-9]+` without building a String first.
    private static func parseInt(_ bytes: [UInt8]) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 20 else { return nil }
        var index = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") {
            negative = true
            index = 1
            guard bytes.count > 1 else { return nil }
        }
        var result = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int(byte &- UInt8(ascii: "0"))
            let (shifted, overflow1) = result.multipliedReportingOverflow(by: 10)
            let (next, overflow2) =
                negative
                ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            result = next
            index += 1
        }
        return result
    }
}
