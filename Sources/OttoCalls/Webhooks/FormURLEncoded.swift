import OttoSupport

/// `application/x-www-form-urlencoded` bodies and query strings, as Twilio sends them.
public enum FormURLEncoded {
    /// Why a body is not form-encoded.
    public struct MalformedError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String { "the body is not valid application/x-www-form-urlencoded text" }
    }

    /// The name and value pairs in order (repeated names kept): `+` is a space, `%XX` a byte, and
    /// the decoded bytes must be UTF-8.
    public static func parse(_ text: String) throws(MalformedError) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try decode(pieces[0])
            let value = pieces.count > 1 ? try decode(pieces[1]) : ""
            guard !name.isEmpty else { throw MalformedError() }
            pairs.append((name, value))
        }
        return pairs
    }

    /// The pairs as a dictionary; the last value of a repeated name wins.
    public static func dictionary(_ pairs: [(name: String, value: String)]) -> [String: String] {
        var result: [String: String] = [:]
        for pair in pairs { result[pair.name] = pair.value }
        return result
    }

    /// Percent-decodes one component (`+` as space).
    public static func decode(_ component: Substring) throws(MalformedError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(component.utf8.count)
        var iterator = component.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(Hex.value(ofDigit:)),
                    let low = iterator.next().flatMap(Hex.value(ofDigit:))
                else {
                    throw MalformedError()
                }
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw MalformedError() }
        return text
    }

    /// Percent-encodes a component the way HTML forms do (unreserved bytes kept, space as `+`).
    public static func encode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                result += "+"
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                result += byte < 16 ? "%0" + hex : "%" + hex
            }
        }
        return result
    }
}
