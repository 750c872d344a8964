import OttoSupport
import OttoTestSupport
import Testing

@testable import OttoCalls

/// The byte-based form code against the `String`-based code it replaced (kept below, verbatim
/// but renamed, as the oracle): the same pairs, errors, encodings, canonical text, signed
/// message and order on any input. The one difference is by design: the old parser split at
/// `&` and `=` *characters*, so a `&` that a combining mark follows (one grapheme) did not
/// split; the new one splits at the bytes, as the WHATWG form parser and Twilio's libraries do.
/// Inputs with a non-ASCII byte next to `&` or `=` are therefore compared with the byte rule.
@Suite("Property: form encoding against the String-based oracle")
struct FormEncodingOraclePropertyTests {
    enum Legacy {
        struct Malformed: Error {}

        static func parse(_ text: String) throws -> [(name: String, value: String)] {
            var pairs: [(name: String, value: String)] = []
            for part in text.split(separator: "&", omittingEmptySubsequences: true) {
                let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = try decode(pieces[0])
                let value = pieces.count > 1 ? try decode(pieces[1]) : ""
                guard !name.isEmpty else { throw Malformed() }
                pairs.append((name, value))
            }
            return pairs
        }

        static func decode(_ component: Substring) throws -> String {
            var bytes: [UInt8] = []
            var iterator = component.utf8.makeIterator()
            while let byte = iterator.next() {
                switch byte {
                case UInt8(ascii: "+"):
                    bytes.append(UInt8(ascii: " "))
                case UInt8(ascii: "%"):
                    guard let high = iterator.next().flatMap(Hex.value(ofDigit:)),
                        let low = iterator.next().flatMap(Hex.value(ofDigit:))
                    else { throw Malformed() }
                    bytes.append(high << 4 | low)
                default:
                    bytes.append(byte)
                }
            }
            guard let text = String(validating: bytes, as: UTF8.self) else { throw Malformed() }
            return text
        }

        static func encode(_ text: String) -> String {
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

        static func codePointOrder(_ lhs: String, _ rhs: String) -> Bool {
            lhs.unicodeScalars.lexicographicallyPrecedes(rhs.unicodeScalars)
        }

        static func canonical(_ pairs: [(name: String, value: String)]) -> String {
            var seen = Set<String>()
            var unique: [(name: String, value: String)] = []
            for pair in pairs {
                let key = encode(pair.name) + "=" + encode(pair.value)
                if seen.insert(key).inserted { unique.append(pair) }
            }
            unique.sort { left, right in
                if left.name != right.name { return codePointOrder(left.name, right.name) }
                return codePointOrder(left.value, right.value)
            }
            return unique.map { encode($0.name) + "=" + encode($0.value) }.joined(separator: "&")
        }

        static func signedParameters(_ parameters: [(name: String, value: String)]) -> String {
            var grouped: [String: Set<String>] = [:]
            for parameter in parameters { grouped[parameter.name, default: []].insert(parameter.value) }
            var message = ""
            for name in grouped.keys.sorted(by: codePointOrder) {
                for value in grouped[name]!.sorted(by: codePointOrder) { message += name + value }
            }
            return message
        }
    }

    /// Whether a non-ASCII byte stands next to a `&` or `=` (where characters and bytes split differently).
    static func graphemeSensitive(_ bytes: [UInt8]) -> Bool {
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "&") || byte == UInt8(ascii: "=") {
            if index > 0, bytes[index - 1] >= 0x80 { return true }
            if index + 1 < bytes.count, bytes[index + 1] >= 0x80 { return true }
        }
        return false
    }

    static let seeds = [
        "CallSid=CA1&CallStatus=completed&From=%2B15551234567&Caller+Name=Jane+Doe", "a=%zz", "Caf%C3%A9=%E2%98%8E&&=",
        "Flag&Empty=&x=1=2", "a=%4", "a=%FF%FE", "&&&", "=v", "n=%e9&n=e%CC%81&%C3%A9=1",
    ]

    @Test("parse and decode agree with the oracle on any text: the same pairs, or both refuse")
    func parsing() async {
        var random = PropertyInput.generator("form-oracle-parse")
        var compared = 0
        for iteration in 0..<PropertyInput.iterations * 2 {
            await PropertyInput.pause(iteration)
            let input = PropertyInput.next(seeds: Self.seeds, using: &random)
            let text = PropertyInput.string(input)
            guard !Self.graphemeSensitive(Array(text.utf8)) else { continue }
            compared += 1
            let old = try? Legacy.parse(text)
            let new = try? FormURLEncoded.parse(text)
            #expect(old?.map(\.name) == new?.map(\.name), "\(PropertyInput.describe(input))")
            #expect(old?.map(\.value) == new?.map(\.value), "\(PropertyInput.describe(input))")
            let component = Substring(text)
            #expect(
                (try? Legacy.decode(component)) == (try? FormURLEncoded.decode(component)), "\(text.debugDescription)")
        }
        #expect(compared > PropertyInput.iterations)
    }

    @Test("a & or = next to a combining mark splits at the byte")
    func bytesSplit() throws {
        let pairs = try FormURLEncoded.parse("a=1&\u{301}b=2=\u{301}")
        #expect(pairs.map(\.name) == ["a", "\u{301}b"])
        #expect(pairs.map(\.value) == ["1", "2=\u{301}"])
    }

    @Test("encode, canonical text, Twilio's signed message and code-point order agree with the oracle")
    func encodings() async {
        var random = PropertyInput.generator("form-oracle-encode")
        for iteration in 0..<PropertyInput.iterations {
            await PropertyInput.pause(iteration)
            var pairs: [(name: String, value: String)] = []
            for _ in 0..<Int.random(in: 0...6, using: &random) {
                // A small alphabet makes repeated names and values, and ties in the order, common.
                let name =
                    Bool.random(using: &random)
                    ? ["a", "B", "é", "e\u{301}", "😀", "a b"].randomElement(using: &random)!
                    : PropertyInput.text(using: &random)
                let value =
                    Bool.random(using: &random)
                    ? ["", "1", "é", "e\u{301}", "&=%+"].randomElement(using: &random)!
                    : PropertyInput.text(using: &random)
                pairs.append((name, value))
            }
            if let first = pairs.first, Bool.random(using: &random) { pairs.append(first) }
            let described = "\(pairs)"
            for pair in pairs {
                #expect(FormURLEncoded.encode(pair.name) == Legacy.encode(pair.name), "\(described)")
                #expect(FormURLEncoded.encode(pair.value) == Legacy.encode(pair.value), "\(described)")
            }
            #expect(FormURLEncoded.canonical(pairs) == Legacy.canonical(pairs), "\(described)")
            #expect(
                TwilioSignature.signedParameters(pairs) == Array(Legacy.signedParameters(pairs).utf8), "\(described)")
            if pairs.count >= 2 {
                let (left, right) = (pairs[0].value, pairs[1].name)
                #expect(
                    TwilioSignature.codePointOrder(left, right) == Legacy.codePointOrder(left, right), "\(described)")
            }
        }
    }

    @Test(
        "ASCII parameters (Twilio's, the sorted fast path) sign the message the oracle signs, repeats and ties included"
    )
    func asciiSignedMessage() async {
        var random = PropertyInput.generator("form-oracle-ascii")
        let alphabet = ["", "a", "B", "CallSid", "CallStatus", "a b", "&=%+", "1", "10", "2", "~"]
        for iteration in 0..<PropertyInput.iterations {
            await PropertyInput.pause(iteration)
            let pairs = (0..<Int.random(in: 0...8, using: &random)).map { _ in
                (name: alphabet.randomElement(using: &random)!, value: alphabet.randomElement(using: &random)!)
            }
            #expect(TwilioSignature.signedParameters(pairs) == Array(Legacy.signedParameters(pairs).utf8), "\(pairs)")
            #expect(FormURLEncoded.canonical(pairs) == Legacy.canonical(pairs), "\(pairs)")
        }
    }
}
