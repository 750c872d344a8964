import Foundation
import OttoTestSupport
import Testing

@testable import OttoTasks

/// The arguments' fast decoder (``FlatJSONDecoder``) against Foundation's `JSONDecoder`: on any
/// text, for argument-like types (optionals, enums, every integer width, `Date`, `Data` and `URL`,
/// which `JSONDecoder` decodes its own way, a nested value, an `init(from:)` that swallows an
/// error), it either declines or gives exactly the value `JSONDecoder` gives.
@Suite("Property: task arguments' flat decoder")
struct FlatJSONDecoderPropertyTests {
    enum Kind: String, Codable, Equatable { case a, b }

    struct Plain: Codable, Equatable {
        var s: String
        var i: Int
        var d: Double
        var b: Bool
        var o: String?
        var oi: Int?
        var u8: UInt8?
        var i64: Int64?
        var i8: Int8?
    }

    struct WithEnum: Codable, Equatable {
        var kind: Kind
        var maybe: Kind?
    }

    struct Special: Codable, Equatable {
        var at: Date?
        var data: Data?
        var url: URL?
        var f: Float?
    }

    struct Forgiving: Decodable, Equatable {
        enum Keys: String, CodingKey { case i }
        var i: Int
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            i = (try? container.decode(Int.self, forKey: .i)) ?? -1
        }
    }

    struct Nested: Codable, Equatable {
        var plain: Plain?
        var list: [Int]?
        var map: [String: Int]?
    }

    struct Empty: Codable, Equatable {}

    static let keys = [
        "s", "i", "d", "b", "o", "oi", "u8", "i64", "i8", "kind", "maybe", "at", "data", "url", "f",
        "plain", "list", "map", "extra", "s\\u0041",
    ]
    static let values = [
        "\"text\"", "\"\"", "\"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00\"", "\"\\ud800\"", "\"a\"", "\"b\"", "\"c\"",
        "\"aGk=\"", "\"https://example.com/x\"", "0", "-0", "1", "-1", "255", "256", "127", "-129",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "1.0", "1.5", "-0.0", "1e3", "1E400",
        "0.1", "2.5e-3", "123456789.123456789", "true", "false", "null", "[1]", "{\"a\":1}", "{}", "[]",
    ]

    /// Values of the type each key's fields have, so that whole valid objects are common.
    static let typed: [String: [String]] = [
        "s": ["\"text\"", "\"\"", "\"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00\""],
        "o": ["\"x\"", "null"], "b": ["true", "false"], "kind": ["\"a\"", "\"b\""], "maybe": ["\"a\"", "null"],
        "i": ["0", "-0", "1", "-1", "9223372036854775807", "-9223372036854775808"], "oi": ["7", "null"],
        "u8": ["0", "255"], "i64": ["-1", "9223372036854775807"], "i8": ["127", "-128"],
        "d": ["0", "1.5", "-0.0", "0.1", "2.5e-3", "1e3", "123456789.123456789"], "at": ["null"], "data": ["null"],
        "url": ["null"], "f": ["null"], "plain": ["null"], "list": ["null"], "map": ["null"],
    ]

    static func object(using random: inout SeededGenerator) -> String {
        var members: [String] = []
        for key in keys.shuffled(using: &random) where Bool.random(using: &random) {
            let pool = Int.random(in: 0..<10, using: &random) < 8 ? typed[key] ?? values : values
            members.append("\"\(key)\":\(pool.randomElement(using: &random)!)")
        }
        return "{" + members.joined(separator: Bool.random(using: &random) ? "," : " , ") + "}"
    }

    static func check<T: Decodable & Equatable>(_ type: T.Type, _ text: String, answered: inout Int) {
        guard let fast = FlatJSONDecoder.decode(T.self, from: text) else { return }
        answered += 1
        let reference = try? JSONDecoder().decode(T.self, from: Data(text.utf8))
        #expect(fast == reference, "\(T.self) \(text.debugDescription)")
    }

    @Test("on any text the flat decoder declines or gives JSONDecoder's value")
    func agreesWithJSONDecoder() async {
        var random = PropertyInput.generator("flat-json-decoder")
        var answered = [String: Int]()
        for iteration in 0..<PropertyInput.iterations * 2 {
            await PropertyInput.pause(iteration)
            var text = Self.object(using: &random)
            if Int.random(in: 0..<4, using: &random) == 0 {
                text = PropertyInput.string(PropertyInput.mutate(Array(text.utf8), using: &random))
            }
            Self.check(Plain.self, text, answered: &answered["plain", default: 0])
            Self.check(WithEnum.self, text, answered: &answered["enum", default: 0])
            Self.check(Special.self, text, answered: &answered["special", default: 0])
            Self.check(Forgiving.self, text, answered: &answered["forgiving", default: 0])
            Self.check(Nested.self, text, answered: &answered["nested", default: 0])
            Self.check(Empty.self, text, answered: &answered["empty", default: 0])
        }
        // The fast path is taken for each kind of type (for Special and Nested only when the
        // members it would refuse are absent).
        for kind in ["plain", "enum", "special", "forgiving", "nested", "empty"] {
            #expect(answered[kind, default: 0] > 0, "\(kind): \(answered)")
        }
    }

    @Test("it declines what JSONDecoder decodes its own way or would convert, and what a type forgave")
    func declines() {
        #expect(FlatJSONDecoder.decode(Special.self, from: #"{"data":"aGk="}"#) == nil)
        #expect(FlatJSONDecoder.decode(Special.self, from: #"{"at":1}"#) == nil)
        #expect(FlatJSONDecoder.decode(Special.self, from: #"{"url":"https://example.com"}"#) == nil)
        #expect(FlatJSONDecoder.decode(Plain.self, from: #"{"s":"x","i":1.0,"d":1,"b":true}"#) == nil)
        #expect(FlatJSONDecoder.decode(Forgiving.self, from: #"{"i":"1"}"#) == nil)
        #expect(FlatJSONDecoder.decode(Nested.self, from: #"{"list":[1]}"#) == nil)
        #expect(FlatJSONDecoder.decode(Empty.self, from: #"{"a":1,"a":2}"#) == nil)
        #expect(FlatJSONDecoder.decode(String.self, from: #""x""#) == nil)
        let plain = FlatJSONDecoder.decode(
            Plain.self, from: #" { "s" : "a\u00e9", "i" : -3, "d" : 2.5e-3, "b" : false, "o" : null, "u8" : 255 } "#)
        #expect(plain == Plain(s: "aé", i: -3, d: 0.0025, b: false, o: nil, oi: nil, u8: 255, i64: nil, i8: nil))
        #expect(FlatJSONDecoder.decode(Empty.self, from: "{}") == Empty())
        #expect(FlatJSONDecoder.decode(WithEnum.self, from: #"{"kind":"b"}"#) == WithEnum(kind: .b, maybe: nil))
    }
}
