#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A type read from a column's text form, as PostgreSQL prints it with the session settings the
/// pool sets (TimeZone=UTC, DateStyle=ISO, bytea_output=hex).
public protocol PostgresDecodable {
    /// Parses the server's text; throws `PostgresError.Code.decoding` when it does not fit.
    init(postgresText: String) throws(PostgresError)
}

extension PostgresError {
    static func decoding(_ type: Any.Type) -> PostgresError {
        PostgresError(code: .decoding, reason: "value is not a valid \(type)")
    }
}

extension String: PostgresDecodable {
    public init(postgresText: String) throws(PostgresError) { self = postgresText }
}

extension Int: PostgresDecodable {
    public init(postgresText: String) throws(PostgresError) {
        guard let value = Int(postgresText) else { throw .decoding(Int.self) }
        self = value
    }
}

extension Int32: PostgresDecodable {
    public init(postgresText: String) throws(PostgresError) {
        guard let value = Int32(postgresText) else { throw .decoding(Int32.self) }
        self = value
    }
}

extension Int64: PostgresDecodable {
    public init(postgresText: String) throws(PostgresError) {
        guard let value = Int64(postgresText) else { throw .decoding(Int64.self) }
        self = value
    }
}

extension Double: PostgresDecodable {
    public init(postgresText: String) throws(PostgresError) {
        switch postgresText {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default:
            guard let value = Double(postgresText) else { throw .decoding(Double.self) }
            self = value
        }
    }
}

extension Bool: PostgresDecodable {
    /// The server prints booleans as `t` and `f`.
    public init(postgresText: String) throws(PostgresError) {
        switch postgresText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw .decoding(Bool.self)
        }
    }
}

extension UUID: PostgresDecodable {
    public init(postgresText: String) throws(PostgresError) {
        guard let value = UUID(uuidString: postgresText) else { throw .decoding(UUID.self) }
        self = value
    }
}

extension Date: PostgresDecodable {
    /// Reads `timestamptz` (and `timestamp`, taken as UTC) as printed with DateStyle=ISO.
    public init(postgresText: String) throws(PostgresError) {
        guard let value = PostgresTimestamp.parse(postgresText) else { throw .decoding(Date.self) }
        self = value
    }
}

extension Array: PostgresDecodable where Element == UInt8 {
    /// Reads `bytea` in the hex output format (`\x0a1b…`), PostgreSQL's default since 9.0.
    public init(postgresText: String) throws(PostgresError) {
        var utf8 = postgresText.utf8.makeIterator()
        guard utf8.next() == UInt8(ascii: "\\"), utf8.next() == UInt8(ascii: "x") else {
            throw .decoding([UInt8].self)
        }
        func nibble(_ character: UInt8) -> UInt8? {
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity((postgresText.utf8.count - 2) / 2)
        while let high = utf8.next() {
            guard let highValue = nibble(high), let low = utf8.next(), let lowValue = nibble(low) else {
                throw .decoding([UInt8].self)
            }
            bytes.append(highValue << 4 | lowValue)
        }
        self = bytes
    }
}
