import OttoCalls
import OttoCore
import OttoProcessKit
import OttoSupport
import Testing

@Suite struct CallRailSignatureTests {
    // Vectors: base64(hmac.new(b"callrail-key", body, sha1 / sha256)) in Python.
    let body = Array(#"{"id":"CAL1"}"#.utf8)

    @Test func sha1IsTheDefault() {
        let signature = CallRailSignature(signingKey: "callrail-key")
        #expect(signature.compute(body: body) == "H7Y0I9EkfWyr2GpmI35xB8JYqXs=")
        #expect(signature.isValid(signature: "H7Y0I9EkfWyr2GpmI35xB8JYqXs=", body: body))
    }

    @Test func sha256WhenConfigured() {
        let signature = CallRailSignature(signingKey: "callrail-key", algorithm: .sha256)
        #expect(signature.isValid(signature: "E7KZ7WhgzcCycWqIgeMxUMnTsztvlOeeL17/DbGmVAs=", body: body))
        #expect(!signature.isValid(signature: "H7Y0I9EkfWyr2GpmI35xB8JYqXs=", body: body))
    }

    @Test func refusesChangedBodyOrKey() {
        #expect(
            !CallRailSignature(signingKey: "callrail-key").isValid(
                signature: "H7Y0I9EkfWyr2GpmI35xB8JYqXs=", body: Array(#"{"id":"CAL2"}"#.utf8)))
        #expect(
            !CallRailSignature(signingKey: "other-key").isValid(signature: "H7Y0I9EkfWyr2GpmI35xB8JYqXs=", body: body))
    }

    @Test func constantTimeEqualsComparesWholeStrings() {
        #expect(ConstantTime.equals("abc", "abc"))
        #expect(!ConstantTime.equals("abc", "abd"))
        #expect(!ConstantTime.equals("abc", "abcd"))
    }
}
