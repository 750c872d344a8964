import Foundation
import OttoTestSupport
import Testing

@testable import OttoTasks

/// `JSONValue.parse` (one pass for flat objects) against `JSONDecoder`: the same value, or
/// both refuse, on any text and any bytes.
@Suite("Property: JSON values parsed in one pass")
struct JSONValueParsePropertyTests {
    static func reference(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    @Test("flat objects, their mutations and random bytes parse to what JSONDecoder decodes")
    func agreesWithJSONDecoder() async {
        var random = PropertyInput.generator("json-value-parse")
        var flat = 0
        for iteration in 0..<PropertyInput.iterations * 2 {
            await PropertyInput.pause(iteration)
            var bytes = Array(FlatJSONDecoderPropertyTests.object(using: &random).utf8)
            switch Int.random(in: 0..<6, using: &random) {
            case 0: bytes = PropertyInput.mutate(bytes, using: &random)
            case 1: bytes = PropertyInput.bytes(using: &random)
            default: break
            }
            let expected = Self.reference(bytes)
            #expect(JSONValue.parse(bytes) == expected, "\(PropertyInput.describe(bytes))")
            if let text = String(validating: bytes, as: UTF8.self) {
                #expect(JSONValue.parse(text) == expected, "\(text.debugDescription)")
                if FlatJSONDecoder.members(text) != nil { flat += 1 }
            }
        }
        #expect(flat > PropertyInput.iterations / 4, "the one-pass path is taken")
    }

    @Test("a Twilio callback's stored fields read back as strings; nested and huge numbers go to JSONDecoder")
    func examples() {
        let stored =
            #"{"AccountSid":"AC1","CallSid":"CA1","CallStatus":"completed","Duration":"42","Caller":"+1 \"x\""}"#
        guard case .object(let object)? = JSONValue.parse(stored) else {
            Issue.record("not an object")
            return
        }
        #expect(object["CallStatus"] == .string("completed"))
        #expect(object["Caller"] == .string("+1 \"x\""))
        #expect(
            JSONValue.parse(#"{"a":{"b":[1,true,null]}}"#)
                == .object(["a": .object(["b": .array([.number(1), .bool(true), .null])])]))
        #expect(JSONValue.parse(#"{"n":1e400}"#) == Self.reference(Array(#"{"n":1e400}"#.utf8)))
        #expect(
            JSONValue.parse([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D])
                == Self.reference([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]))
        #expect(JSONValue.parse("[1") == nil)
    }
}
