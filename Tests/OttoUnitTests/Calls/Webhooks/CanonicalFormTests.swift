import OttoCalls
import OttoCore
import OttoProcessKit
import Testing

/// Form bodies de-duplicate by meaning: decoded pairs, sorted, each distinct pair once.
@Suite struct CanonicalFormTests {
    static func digest(_ body: String) throws -> String {
        WebhookDigest.canonicalSHA256(form: try FormURLEncoded.parse(body))
    }

    @Test("order, repetition and percent-encoding do not change the canonical form")
    func sameMeaning() throws {
        let reference = try Self.digest("CallSid=CA1&CallStatus=completed&Caller=Jane+Doe&From=%2B1555")
        for variant in [
            "CallStatus=completed&From=%2B1555&Caller=Jane+Doe&CallSid=CA1",
            "CallSid=CA1&CallSid=CA1&CallStatus=completed&Caller=Jane%20Doe&From=%2b1555",
            "%43allSid=%43A1&CallStatus=complet%65d&Caller=Jane+Doe&From=%2B1555&CallStatus=completed",
        ] {
            #expect(try Self.digest(variant) == reference, "\(variant)")
        }
    }

    @Test("a different name, value or pair boundary is a different delivery")
    func differentMeaning() throws {
        let reference = try Self.digest("a=1&b=2")
        for variant in ["a=1&b=3", "a=1&c=2", "a=1%26b%3D2", "a=1&b=2&b=3", "a=12", "a1=2&b=2", "b=1&a=2"] {
            #expect(try Self.digest(variant) != reference, "\(variant)")
        }
        // Values of one repeated name are a set, as Twilio's signature treats them.
        #expect(try Self.digest("a=1&a=2") == Self.digest("a=2&a=1"))
    }

    @Test("random reorderings and re-encodings of random pairs keep the digest; a changed value does not")
    func property() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("aZ09 +&=%é€\u{0}-_.~/?")
        for _ in 0..<300 {
            var pairs: [(name: String, value: String)] = []
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let name = String((0..<Int.random(in: 1...4)).map { _ in alphabet.randomElement()! })
                let value = String((0..<Int.random(in: 0...6)).map { _ in alphabet.randomElement()! })
                pairs.append((name, value))
            }
            let reference = WebhookDigest.canonicalSHA256(form: pairs)
            var shuffled = pairs.shuffled()
            if let repeated = pairs.randomElement() {
                shuffled.insert(repeated, at: Int.random(in: 0...shuffled.count))
            }
            // Encode every byte as %XX this time: the decoded pairs are the same.
            let body = shuffled.map { Self.percentAll($0.name) + "=" + Self.percentAll($0.value) }.joined(
                separator: "&")
            #expect(try Self.digest(body) == reference, "\(body)")
            var changed = pairs
            changed[0].value += "x"
            #expect(WebhookDigest.canonicalSHA256(form: changed) != reference)
        }
    }

    static func percentAll(_ text: String) -> String {
        text.utf8.map { byte in
            let hex = String(byte, radix: 16, uppercase: Bool.random())
            return "%" + (byte < 16 ? "0" : "") + hex
        }.joined()
    }
}
