#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension JSONValue {
    /// The value `JSONDecoder` decodes from `text`, or nil where it refuses it. A flat object
    /// (a webhook's stored fields, a reprocess body) is read in one pass by ``FlatJSONScanner``:
    /// `JSONDecoder` tried `Bool`, `Double` and `String` in turn for every member, each miss a
    /// thrown error, 167,000 instructions for a Twilio callback's 20 fields (callgrind). Anything
    /// else, and a number that is not a finite double, is left to `JSONDecoder`.
    public static func parse(_ text: String) -> JSONValue? {
        if let value = flat(text) { return value }
        return try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    /// ``parse(_:)`` of raw bytes; bytes that are not UTF-8 are left to `JSONDecoder`.
    public static func parse(_ bytes: [UInt8]) -> JSONValue? {
        if let text = String(validating: bytes, as: UTF8.self), let value = flat(text) { return value }
        return try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    private static func flat(_ text: String) -> JSONValue? {
        guard let members = FlatJSONDecoder.members(text) else { return nil }
        var object: [String: JSONValue] = [:]
        object.reserveCapacity(members.count)
        for (key, scalar) in members {
            switch scalar {
            case .string(let value): object[key] = .string(value)
            case .bool(let value): object[key] = .bool(value)
            case .null: object[key] = .null
            case .number(let digits):
                guard let value = Double(digits), value.isFinite else { return nil }
                object[key] = .number(value)
            }
        }
        return .object(object)
    }
}
