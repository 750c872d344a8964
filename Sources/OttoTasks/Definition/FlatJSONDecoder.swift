#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Decodes a task's arguments from the flat JSON object that most of them are (string, number,
/// boolean and null members) without Foundation's `JSONDecoder`, which cost 11,000 instructions
/// for `{}`: a tenth of what a worker spends on a no-op task (callgrind).
///
/// It only ever answers when `JSONDecoder` would answer the same: anything it is not sure of (a
/// nested value, a number an integer field would have to convert, `Data`, `Date`, `URL`,
/// `Decimal`, whose decoding `JSONDecoder` special-cases, a missing key, a type mismatch) makes
/// it give up, and the caller decodes with `JSONDecoder`, which then gives its value or its
/// error. A give-up that the type's own `init(from:)` swallowed (`try?`) still counts, so such a
/// type cannot end up with a different value.
enum FlatJSONDecoder {
    /// A member's value, its number as text (nothing refers to the bytes after parsing).
    enum Scalar {
        case string(String)
        case number(String)
        case bool(Bool)
        case null
    }

    /// The value, or nil when `JSONDecoder` must decide.
    static func decode<T: Decodable>(_ type: T.Type, from text: String) -> T? {
        guard let members = members(text) else { return nil }
        let state = State()
        let decoder = ObjectDecoder(members: members, state: state)
        guard let value = try? T(from: decoder), !state.gaveUp else { return nil }
        return value
    }

    /// The members of a flat object; nil for anything else, and for a repeated key (which
    /// member `JSONDecoder` takes is its business).
    static func members(_ text: String) -> [String: Scalar]? {
        var text = text
        return text.withUTF8 { buffer -> [String: Scalar]? in
            var scanner = FlatJSONScanner(buffer)
            var members: [String: Scalar] = [:]
            let read = scanner.members { key, value in
                let name = FlatJSONScanner.text(key, in: buffer)
                let scalar: Scalar
                switch value {
                case .string(let text): scalar = .string(text)
                case .number(let range):
                    scalar = .number(FlatJSONScanner.text(range, in: buffer))
                case .bool(let flag): scalar = .bool(flag)
                case .null: scalar = .null
                }
                return members.updateValue(scalar, forKey: name) == nil
            }
            return read ? members : nil
        }
    }

    /// Whether any part of the decoding gave up (a reference, so nested decoders share it).
    final class State {
        var gaveUp = false

        func giveUp() -> any Error {
            gaveUp = true
            return GiveUp()
        }
    }

    struct GiveUp: Error {}

    /// The top-level object.
    struct ObjectDecoder: Decoder {
        let members: [String: Scalar]
        let state: State
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            KeyedDecodingContainer(Members<Key>(members: members, state: state))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw state.giveUp() }
        func singleValueContainer() throws -> any SingleValueDecodingContainer { throw state.giveUp() }
    }

    struct Members<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let members: [String: Scalar]
        let state: State
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

        func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

        private func scalar(_ key: Key) throws -> Scalar {
            guard let value = members[key.stringValue] else { throw state.giveUp() }
            return value
        }

        func decodeNil(forKey key: Key) throws -> Bool {
            if case .null = try scalar(key) { return true }
            return false
        }

        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try Value(try scalar(key), state).bool() }
        func decode(_ type: String.Type, forKey key: Key) throws -> String {
            try Value(try scalar(key), state).string()
        }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
            try Value(try scalar(key), state).double()
        }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { throw state.giveUp() }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try Value(try scalar(key), state).integer() }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try Value(try scalar(key), state).integer() }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try Value(try scalar(key), state).integer() }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try Value(try scalar(key), state).integer() }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try Value(try scalar(key), state).integer() }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try Value(try scalar(key), state).integer() }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try Value(try scalar(key), state).integer() }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
            try Value(try scalar(key), state).integer()
        }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
            try Value(try scalar(key), state).integer()
        }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
            try Value(try scalar(key), state).integer()
        }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try Value(try scalar(key), state).decode(T.self)
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey>
        { throw state.giveUp() }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { throw state.giveUp() }
        func superDecoder() throws -> any Decoder { throw state.giveUp() }
        func superDecoder(forKey key: Key) throws -> any Decoder { throw state.giveUp() }
    }

    /// One member's value: decoded directly, or as the single value of a type that decodes from
    /// one (a `String`-backed enum, a wrapper).
    struct Value: Decoder, SingleValueDecodingContainer {
        let scalar: Scalar
        let state: State

        init(_ scalar: Scalar, _ state: State) {
            self.scalar = scalar
            self.state = state
        }

        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            throw state.giveUp()
        }
        func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw state.giveUp() }
        func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

        func decodeNil() -> Bool {
            if case .null = scalar { return true }
            return false
        }

        func bool() throws -> Bool {
            guard case .bool(let value) = scalar else { throw state.giveUp() }
            return value
        }

        func string() throws -> String {
            guard case .string(let value) = scalar else { throw state.giveUp() }
            return value
        }

        /// Plain integer text only (no fraction, no exponent), in range: what needs no conversion.
        func integer<T: FixedWidthInteger>() throws -> T {
            guard case .number(let text) = scalar, !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }),
                let value = T(text)
            else { throw state.giveUp() }
            return value
        }

        func double() throws -> Double {
            guard case .number(let text) = scalar, let value = Double(text), value.isFinite else {
                throw state.giveUp()
            }
            return value
        }

        func decode(_ type: Bool.Type) throws -> Bool { try bool() }
        func decode(_ type: String.Type) throws -> String { try string() }
        func decode(_ type: Double.Type) throws -> Double { try double() }
        func decode(_ type: Float.Type) throws -> Float { throw state.giveUp() }
        func decode(_ type: Int.Type) throws -> Int { try integer() }
        func decode(_ type: Int8.Type) throws -> Int8 { try integer() }
        func decode(_ type: Int16.Type) throws -> Int16 { try integer() }
        func decode(_ type: Int32.Type) throws -> Int32 { try integer() }
        func decode(_ type: Int64.Type) throws -> Int64 { try integer() }
        func decode(_ type: UInt.Type) throws -> UInt { try integer() }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try integer() }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try integer() }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try integer() }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try integer() }

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            // JSONDecoder decodes these its own way (strategies), not by their init(from:).
            if T.self == Data.self || T.self == Date.self || T.self == URL.self || T.self == Decimal.self {
                throw state.giveUp()
            }
            switch T.self {
            case is String.Type: return try string() as! T
            case is Bool.Type: return try bool() as! T
            case is Int.Type: return try (integer() as Int) as! T
            case is Double.Type: return try double() as! T
            default: return try T(from: self)
            }
        }
    }
}
