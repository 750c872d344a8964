import OttoCalls
import OttoCore
import OttoProcessKit
import Testing

/// With PUBLIC_BASE_URL unset, the signed URL's authority is the request's Host header: any text.
@Suite struct TwilioURLAuthorityTests {
    static let token = "12345678901234567890123456789012"
    static let parameters: [(name: String, value: String)] = [("CallSid", "CA1"), ("CallStatus", "ringing")]

    @Test(
        "odd authorities never trap and verify only their own signature",
        arguments: ["@", "@@", "a@", "@b", "a@b@c", "@:80", "u:p@:80", "", ":", "[", "@[::1]:80", "h:80@"])
    func oddAuthority(authority: String) {
        let validator = TwilioSignature(authToken: Self.token)
        let url = "http://\(authority)/webhooks/twilio/t"
        let signature = validator.compute(url: url, parameters: Self.parameters)
        #expect(validator.isValid(signature: signature, url: url, parameters: Self.parameters))
        #expect(!validator.isValid(signature: "AAAA", url: url, parameters: Self.parameters))
        #expect(!validator.isValid(signature: "AAAA", url: url + "?bodySHA256=00", jsonBody: Array("{}".utf8)))
    }

    @Test("user information before the host is kept when the default port is added or removed")
    func userInformationKept() {
        let validator = TwilioSignature(authToken: Self.token)
        let signed = validator.compute(url: "https://user:pass@otto.example.com/w", parameters: Self.parameters)
        #expect(
            validator.isValid(
                signature: signed, url: "https://user:pass@otto.example.com:443/w", parameters: Self.parameters))
        let twoAts = validator.compute(url: "https://a@b@otto.example.com/w", parameters: Self.parameters)
        #expect(
            validator.isValid(signature: twoAts, url: "https://a@b@otto.example.com:443/w", parameters: Self.parameters)
        )
    }
}
