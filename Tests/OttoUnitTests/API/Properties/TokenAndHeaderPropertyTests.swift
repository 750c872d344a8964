import Foundation
import Logging
import OttoCalls
import OttoTasks
import OttoTestSupport
import Testing

@testable import OttoAPI

/// The API's parsers of outside header text: session tokens (through the production verifier and
/// jwt-kit's parser), publishable keys, `traceparent` and `X-Request-ID`. Any input is read or refused, never a trap;
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

    @Test("a publishable key names its Frontend API host, padded or not; any other key names none")
    func publishableKeyRoundTrip() async {
        var random = PropertyInput.generator("publishable-key")
        let hostCharacters = Array("abcdefghijklmnopqrstuvwxyz0123456789.-:")
        for iteration in 0..<PropertyInput.iterations * 2 {
            await PropertyInput.pause(iteration)
            let host = String(
                (0..<Int.random(in: 1...60, using: &random)).map { _ in
                    hostCharacters.randomElement(using: &random)!
                })
            var encoded = Data((host + "$").utf8).base64EncodedString()
            if Bool.random(using: &random) { encoded = encoded.replacingOccurrences(of: "=", with: "") }
            #expect(ClerkFrontendAPI.host(publishableKey: "pk_live_" + encoded) == host, "\(encoded)")
            let mutated = PropertyInput.string(PropertyInput.mutate(Array(encoded.utf8), using: &random))
            if let other = ClerkFrontendAPI.host(publishableKey: "pk_test_" + mutated) {
                #expect(
                    other.utf8.allSatisfy {
                        Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:".utf8).contains($0)
                    },
                    "\(mutated) -> \(other)")
            }
        }
    }

    @Test("tokens signed with random claims verify as those claims; the same claims under another key never do")
    func tokenRoundTrip() async throws {
        var random = PropertyInput.generator("token-round-trip")
        let verifier = try ClerkTokenVerifier(
            publicKeyPEM: TestTokens.publicKeyPEM, issuer: TestTokens.issuer, allowedOrigins: [],
            logger: Logger(label: "property"))
        // RS256 signing costs about a millisecond: a tenth of the usual iterations.
        for iteration in 0..<max(PropertyInput.iterations / 10, 50) {
            await PropertyInput.pause(iteration)
            let user = PropertyInput.text(using: &random)
            let org = Bool.random(using: &random) ? PropertyInput.text(using: &random) : nil
            let version = Bool.random(using: &random) ? 2 : 1
            let token = try await TestTokens.make(user: user, org: org, version: version)
            let claims = try await verifier.verify(token)
            #expect(claims.sub == user)
            #expect(claims.organisationID == (org?.isEmpty == false ? org : nil))
            let forged = try await TestTokens.make(user: user, org: org, version: version, key: TestTokens.otherKey)
            await #expect(throws: AuthenticationFailure.self) { try await verifier.verify(forged) }
        }
    }

    @Test("any bearer text is refused by the production verifier, never accepted and never a trap")
    func tokenAnyInput() async throws {
        var random = PropertyInput.generator("token-any")
        let verifier = try ClerkTokenVerifier(
            publicKeyPEM: TestTokens.publicKeyPEM, issuer: TestTokens.issuer, allowedOrigins: [],
            logger: Logger(label: "property"))
        let seed =
            Self.base64url(Array(#"{"alg":"RS256","kid":"ins_1"}"#.utf8)) + "."
            + Self.base64url(Array(#"{"sub":"user_1","o":{"id":"org_1"},"exp":99999999999999999999}"#.utf8)) + ".sig"
        let genuine = try await TestTokens.make()
        for iteration in 0..<PropertyInput.iterations * 4 {
            await PropertyInput.pause(iteration)
            let input = PropertyInput.next(seeds: [seed, genuine, "a.b.c", "..", "e30.e30."], using: &random)
            let text = PropertyInput.string(input)
            guard text != genuine else { continue }
            do {
                let claims = try await verifier.verify(text)
                // A mutation that leaves the token's signed bytes intact (e.g. a base64url bit the
                // decoder ignores) is the same token.
                #expect(claims.sub == "user_test", "accepted \(PropertyInput.describe(input))")
            } catch {
                switch error {
                case .invalidToken, .expired: break
                default: Issue.record("\(error) for \(PropertyInput.describe(input))")
                }
            }
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

    @Test("tracestate: any header is dropped or kept within 32 members and 512 characters, never a trap")
    func tracestate() async {
        var random = PropertyInput.generator("tracestate")
        let parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        for iteration in 0..<PropertyInput.iterations {
            await PropertyInput.pause(iteration)
            let count = Int.random(in: 1...40, using: &random)
            let valid = (0..<count).map {
                "k\($0)=" + String(repeating: "v", count: Int.random(in: 1...60, using: &random))
            }
            .joined(separator: ",")
            let input =
                Bool.random(using: &random)
                ? Array(valid.utf8) : PropertyInput.mutate(Array(valid.utf8), using: &random)
            let header = PropertyInput.string(input)
            guard let state = TraceContext.continuing(parent, tracestate: header).tracestate else { continue }
            let members = state.split(separator: ",").map { $0.drop { $0 == " " } }
            #expect(members.count <= 32, "\(header)")
            #expect(members.reduce(members.count - 1) { $0 + $1.utf8.count } <= 512, "\(header)")
            if header == valid, count <= 32, valid.utf8.count <= 512 {
                #expect(members.joined(separator: ",") == valid)
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
