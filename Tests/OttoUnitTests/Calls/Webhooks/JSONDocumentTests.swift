import Foundation
import OttoCalls
import OttoCore
import OttoProcessKit
import Testing

/// JSON bodies de-duplicate by meaning and are stored in a form jsonb accepts.
@Suite struct JSONDocumentTests {
    static func canonical(_ text: String) throws -> String {
        String(decoding: try JSONDocument(parsing: Array(text.utf8)).canonical, as: UTF8.self)
    }

    @Test("key order, whitespace, escapes and repeated keys do not change the canonical text")
    func sameMeaning() throws {
        let reference = try Self.canonical(#"{"b":[1,true,null],"a":{"y":"\u00e9/","x":-0.5E+3}}"#)
        #expect(reference == #"{"a":{"x":-0.5E+3,"y":"é/"},"b":[1,true,null]}"#)
        for variant in [
            " { \"a\" : { \"x\" : -0.5E+3 , \"y\" : \"\\u00E9\\/\" } , \"b\" : [ 1 , true , null ] } \n",
            #"{"a":{"y":"é/","x":-0.5E+3},"b":[1,true,null]}"#,
            #"{"b":"replaced","a":{"x":-0.5E+3,"y":"é/"},"b":[1,true,null]}"#,
        ] {
            #expect(try Self.canonical(variant) == reference, "\(variant)")
        }
    }

    @Test("numbers keep their written form, so near-equal large numbers stay different")
    func numbersAsWritten() throws {
        #expect(try Self.canonical("[12345678901234567890]") != Self.canonical("[12345678901234567891]"))
        #expect(try Self.canonical("[1e400]") == "[1e400]")
    }

    @Test("keys sort by UTF-16 code units, as RFC 8785 orders them")
    func keyOrder() throws {
        // U+FF01 sorts after U+1F600 by UTF-16 code units (0xFF01 > 0xD83D), before it by code points.
        #expect(
            try Self.canonical(#"{"b":1,"a":2,"B":3,"\u20ac":4,"\uff01":7,"\ud83d\ude00":5,"":6}"#)
                == #"{"":6,"B":3,"a":2,"b":1,"€":4,"😀":5,"！":7}"#)
    }

    @Test("U+0000 is escaped as \\u0000 in the canonical text and as the text \\\\u0000 in the stored form")
    func nul() throws {
        let document = try JSONDocument(parsing: Array(#"{"a\u0000":"x\u0000y"}"#.utf8))
        #expect(String(decoding: document.canonical, as: UTF8.self) == #"{"a\u0000":"x\u0000y"}"#)
        #expect(document.storable == #"{"a\\u0000":"x\\u0000y"}"#)
        let parsed = try JSONSerialization.jsonObject(with: Data(document.storable.utf8)) as? [String: String]
        #expect(parsed == [#"a\u0000"#: #"x\u0000y"#])
        #expect(JSONDocument.escapingNUL("a\u{0}b") == #"a\u0000b"#)
    }

    @Test(
        "malformed JSON text is refused",
        arguments: [
            "", "{", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "1e", "tru", "nul", "\"a", "\"\\x\"", "\"\\ud800\"",
            "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"a\u{1}b\"", "{\"a\" 1}", "[1 2]", "{1:2}", "1 2", "\u{FEFF}{}",
        ])
    func malformed(text: String) {
        #expect(throws: JSONDocument.SyntaxError.self) { try JSONDocument(parsing: Array(text.utf8)) }
    }

    @Test("invalid UTF-8 inside a string is refused")
    func invalidUTF8() {
        #expect(throws: JSONDocument.SyntaxError.self) { try JSONDocument(parsing: [0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test("nesting is bounded: 512 levels parse, 513 are refused, a megabyte of [ cannot exhaust the stack")
    func depth() throws {
        _ = try JSONDocument(
            parsing: Array((String(repeating: "[", count: 512) + String(repeating: "]", count: 512)).utf8))
        #expect(throws: JSONDocument.SyntaxError.self) {
            try JSONDocument(
                parsing: Array((String(repeating: "[", count: 513) + String(repeating: "]", count: 513)).utf8))
        }
        #expect(throws: JSONDocument.SyntaxError.self) {
            try JSONDocument(parsing: [UInt8](repeating: UInt8(ascii: "["), count: 1 << 20))
        }
    }

    @Test("top-level scalars: strings, and numbers as written")
    func topLevelScalars() throws {
        let document = try JSONDocument(
            parsing: Array(#"{"company_id":123456789,"company_resource_id":"COM1","n":null,"o":{}}"#.utf8))
        #expect(document.topLevelScalar("company_id") == "123456789")
        #expect(document.topLevelScalar("company_resource_id") == "COM1")
        #expect(document.topLevelScalar("n") == nil)
        #expect(document.topLevelScalar("o") == nil)
        #expect(document.topLevelScalar("missing") == nil)
    }

    @Test("random documents, re-serialised with random key order, spacing and escapes, keep their canonical text")
    func property() throws {
        for _ in 0..<300 {
            let value = Self.randomValue(depth: 0)
            let reference = try Self.canonical(Self.serialise(value, style: false))
            let variant = Self.serialise(value, style: true)
            #expect(try Self.canonical(variant) == reference, "\(variant)")
            // What Foundation writes parses to the same canonical text too.
            if case .object = value {
                let foundation = try JSONSerialization.data(withJSONObject: Self.foundationObject(value))
                #expect(try Self.canonical(String(decoding: foundation, as: UTF8.self)) == reference)
            }
            // The canonical text is itself canonical, and valid JSON for Foundation.
            #expect(try Self.canonical(reference) == reference)
            _ = try JSONSerialization.jsonObject(with: Data(reference.utf8), options: [.fragmentsAllowed])
        }
    }

    indirect enum Value {
        case object([(String, Value)])
        case array([Value])
        case string(String)
        case integer(Int)
        case literal(String)
    }

    static let characters: [Character] = Array("aZ09 \"\\/\n\t\u{1}é€😀\u{2028}")

    static func randomString() -> String {
        String((0..<Int.random(in: 0...5)).map { _ in characters.randomElement()! })
    }

    static func randomValue(depth: Int) -> Value {
        switch Int.random(in: 0...(depth > 3 ? 2 : 4)) {
        case 0: return .string(randomString())
        case 1: return .integer(Int.random(in: -1_000_000...1_000_000))
        case 2: return .literal(["true", "false", "null"].randomElement()!)
        case 3: return .array((0..<Int.random(in: 0...3)).map { _ in randomValue(depth: depth + 1) })
        default:
            var keys = Set<String>()
            while keys.count < Int.random(in: 0...4) { keys.insert(randomString()) }
            return .object(keys.map { ($0, randomValue(depth: depth + 1)) })
        }
    }

    /// JSON text of `value`; with `style`, random spacing, key order and escape spellings.
    static func serialise(_ value: Value, style: Bool) -> String {
        let space = { style ? [" ", "", "\n", "\t", "\r\n"].randomElement()! : "" }
        switch value {
        case .object(let members):
            let ordered = style ? members.shuffled() : members
            return "{" + space()
                + ordered.map {
                    space() + quote($0.0, style: style) + space() + ":" + space() + serialise($0.1, style: style)
                }
                .joined(separator: space() + ",") + space() + "}"
        case .array(let elements):
            return "[" + elements.map { space() + serialise($0, style: style) + space() }.joined(separator: ",") + "]"
        case .string(let text): return quote(text, style: style)
        case .integer(let number): return String(number)
        case .literal(let word): return word
        }
    }

    static func quote(_ text: String, style: Bool) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            let escapeAnyway = style && Bool.random()
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "/": output += escapeAnyway ? "\\/" : "/"
            case "\n": output += escapeAnyway ? "\\u000A" : "\\n"
            case _ where scalar.value < 0x20 || escapeAnyway:
                for unit in String(scalar).utf16 {
                    let hex = String(unit, radix: 16, uppercase: Bool.random())
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }

    static func foundationObject(_ value: Value) -> Any {
        switch value {
        case .object(let members):
            return Dictionary(uniqueKeysWithValues: members.map { ($0.0, foundationObject($0.1)) })
        case .array(let elements): return elements.map(foundationObject)
        case .string(let text): return text
        case .integer(let number): return number
        case .literal(let word): return word == "null" ? NSNull() : (word == "true")
        }
    }
}
