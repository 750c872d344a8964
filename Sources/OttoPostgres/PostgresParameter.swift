import OttoSupport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A value sent as a text-format statement parameter (`$1`, `$2` …).
///
/// Parameters travel separately from the SQL, so values never need quoting or escaping and
/// cannot inject SQL. The server converts the text to the parameter's inferred type.
public protocol PostgresParameter: Sendable {
    /// The value as PostgreSQL's input function reads it; `nil` sends SQL NULL.
    var postgresText: String? { get }
}

extension String: PostgresParameter {
    public var postgresText: String? { self }
}

extension Int: PostgresParameter {
    public var postgresText: String? { String(self) }
}

extension Int32: PostgresParameter {
    public var postgresText: String? { String(self) }
}

extension Int64: PostgresParameter {
    public var postgresText: String? { String(self) }
}

extension Double: PostgresParameter {
    /// Swift's shortest round-tripping form; PostgreSQL spells the non-finite values its own way.
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return description
    }
}

extension Bool: PostgresParameter {
    public var postgresText: String? { self ? "t" : "f" }
}

extension UUID: PostgresParameter {
    public var postgresText: String? { uuidString }
}

extension Date: PostgresParameter {
    /// ISO 8601 in UTC with microseconds, so the instant survives whatever the session TimeZone is.
    public var postgresText: String? { PostgresTimestamp.format(self) }
}

extension Array: PostgresParameter where Element == UInt8 {
    /// `bytea` in hex form (`\x…`), which carries zero bytes that a C string could not.
    public var postgresText: String? {
        let hexDigits = Hex.digits
        return String(unsafeUninitializedCapacity: 2 + count * 2) { buffer in
            buffer[0] = UInt8(ascii: "\\")
            buffer[1] = UInt8(ascii: "x")
            var index = 2
            for byte in self {
                buffer[index] = hexDigits[Int(byte >> 4)]
                buffer[index + 1] = hexDigits[Int(byte & 0x0f)]
                index += 2
            }
            return index
        }
    }
}

extension Optional: PostgresParameter where Wrapped: PostgresParameter {
    public var postgresText: String? { self?.postgresText ?? nil }
}
