import Foundation
import OttoTestSupport
import Testing

@testable import OttoAPI

/// The API's parsers of outside header text: JWTs read before verification (`UnverifiedToken`,
/// base64url), `traceparent` and `X-Request-ID`. Any input is read or refused, never a trap;
/// what is built from parts reads back as those parts.
@Suite("Property: tokens and headers")
struct TokenAndHeaderPropertyTests {
    static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func jsonString(_ text: String) -> String {
        String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
    }

    @Test("base64url and base64 decode what Foundation encodes, padded or not")
    func base64RoundTrip() async {
        var random = PropertyInput.generator("base64-round-trip")
        for iteration in 0..<PropertyInput.iterations * 2 {
            await PropertyInput.pause(iteration)
            let bytes = PropertyInput.bytes(maxLength: 96, using: &random)
            let standard = Data(bytes).base64EncodedString()
            #expect(Base64.decode(standard) == bytes, "\(standard)")
            #expect(Base64.decode(Self.base64url(bytes)) == bytes, "\(standard)")
        }
    }

    @Test("tokens built from random headers and claims read back their alg and kid")
    func tokenRoundTrip() async {
        var random = PropertyInput.generator("token-round-trip")
        for iteration in 0..<PropertyInput.iterations {
            await PropertyInput.pause(iteration)
            let alg = ["RS256", "HS256", "none", PropertyInput.text(using: &random)].randomElement(using: &random)!
            let kid = Bool.random(using: &random) ? PropertyInput.text(using: &random) : nil
            let org = Bool.random(using: &random) ? PropertyInput.text(using: &random) : nil
            let sub = PropertyInput.text(using: &random)
            var header = #"{"alg":\#(Self.jsonString(alg))"#
            if let kid { header += #","kid":\#(Self.jsonString(kid))"# }
            header += "}"
            var claims = #"{"sub":\#(Self.jsonString(sub)),"exp":1e300"#
            if let org { claims += #","o":{"id":\#(Self.jsonString(org)),"rol":"admin"}"# }
            claims += "}"
            let token = Self.base64url(Array(header.utf8)) + "." + Self.base64url(Array(claims.utf8)) + ".c2ln"
            let parsed = UnverifiedToken(token)
            #expect(parsed?.algorithm == alg, "\(token)")
            #expect(parsed?.keyID == kid, "\(token)")
        }
    }

    @Test("any bearer text is read or refused without trapping")
    func tokenAnyInput() async {
        var random = PropertyInput.generator("token-any")
        let seed =
            Self.base64url(Array(#"{"alg":"RS256","kid":"ins_1"}"#.utf8)) + "."
            + Self.base64url(Array(#"{"sub":"user_1","o":{"id":"org_1"},"exp":99999999999999999999}"#.utf8)) + ".sig"
        for iteration in 0..<PropertyInput.iterations * 4 {
            await PropertyInput.pause(iteration)
            let input = PropertyInput.next(seeds: [seed, "a.b.c", "..", "e30.e30."], using: &random)
            let text = PropertyInput.string(input)
            if let token = UnverifiedToken(text) {
                #expect(text.split(separator: ".", omittingEmptySubsequences: false).count == 3)
                _ = token.keyID
            }
            _ = Base64.decode(text)
        }
    }

    @Test("traceparent: any header is continued or replaced by a well-formed one; valid ones keep their trace")
    func traceparent() async {
        var random = PropertyInput.generator("traceparent")
        func hex(_ count: Int) -> String {
            String((0..<count).map { _ in Array("0123456789abcdef").randomElement(using: &random)! })
        }
        for iteration in 0..<PropertyInput.iterations * 2 {
            await PropertyInput.pause(iteration)
            let valid = "00-\(hex(32))-\(hex(16))-\(hex(2))"
            let input =
                Bool.random(using: &random)
                ? Array(valid.utf8) : PropertyInput.mutate(Array(valid.utf8), using: &random)
            let header = PropertyInput.string(input)
            let context = TraceContext.continuing(header)
            #expect(TraceContext.parse(context.traceparent) != nil, "\(header) -> \(context.traceparent)")
            if let parsed = TraceContext.parse(header) {
                #expect(context.traceID == parsed.traceID && context.flags == parsed.flags)
            }
            if header == valid, !valid.contains("-0000000000000000-"),
                !valid.contains("-00000000000000000000000000000000-")
            {
                #expect(context.traceID == String(valid.dropFirst(3).prefix(32)))
            }
        }
    }

    @Test("X-Request-ID: exactly 1 to 128 characters of [A-Za-z0-9._-] are kept")
    func requestID() async {
        var random = PropertyInput.generator("request-id")
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-".utf8)
        for iteration in 0..<PropertyInput.iterations * 2 {
            await PropertyInput.pause(iteration)
            let input = PropertyInput.bytes(maxLength: 140, using: &random).map {
                Bool.random(using: &random) ? $0 : (allowed.randomElement(using: &random)!)
            }
            let text = PropertyInput.string(input)
            let expected = !text.utf8.isEmpty && text.utf8.count <= 128 && text.utf8.allSatisfy(allowed.contains)
            #expect(RequestID.isValid(text) == expected, "\(PropertyInput.describe(input))")
        }
    }
}
