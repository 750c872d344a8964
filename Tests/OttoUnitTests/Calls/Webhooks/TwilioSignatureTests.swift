import Foundation
import OttoCalls
import OttoCore
import OttoProcessKit
import Testing

/// Twilio signatures, checked against vectors from Twilio's own Python library
/// (`twilio.request_validator.RequestValidator.compute_signature`).
@Suite struct TwilioSignatureTests {
    static let url = "https://otto.example.com/webhooks/twilio/0b6d1f4e-8c2a-4a1b-9d3e-5f6a7b8c9d0e"
    static let parameters: [(name: String, value: String)] = [
        ("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"), ("Digits", "1234"), ("From", "+12349013030"),
        ("To", "+18005551212"), ("CallStatus", "completed"),
    ]

    @Test func matchesTwilioDocumentationExample() {
        // The example in Twilio's "Webhooks security" documentation.
        let validator = TwilioSignature(authToken: "12345")
        let signature = validator.compute(
            url: "https://mycompany.com/myapp.php?foo=1&bar=2",
            parameters: [
                ("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"), ("Digits", "1234"),
                ("From", "+12349013030"), ("To", "+18005551212"),
            ])
        #expect(signature == "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    }

    @Test func matchesTwilioLibraryVectorForFormBody() {
        let validator = TwilioSignature(authToken: "12345678901234567890123456789012")
        #expect(validator.compute(url: Self.url, parameters: Self.parameters) == "/iuW1jB/xNXmP+Grg/lg02vwc0E=")
        #expect(
            validator.isValid(signature: "/iuW1jB/xNXmP+Grg/lg02vwc0E=", url: Self.url, parameters: Self.parameters))
    }

    @Test func acceptsURLWithExplicitDefaultPort() {
        let validator = TwilioSignature(authToken: "12345678901234567890123456789012")
        let withPort = Self.url.replacingOccurrences(of: "otto.example.com", with: "otto.example.com:443")
        #expect(
            validator.isValid(signature: "/iuW1jB/xNXmP+Grg/lg02vwc0E=", url: withPort, parameters: Self.parameters))
    }

    @Test func refusesChangedParameterOrURL() {
        let validator = TwilioSignature(authToken: "12345678901234567890123456789012")
        var changed = Self.parameters
        changed[5] = ("CallStatus", "ringing")
        #expect(!validator.isValid(signature: "/iuW1jB/xNXmP+Grg/lg02vwc0E=", url: Self.url, parameters: changed))
        #expect(
            !validator.isValid(
                signature: "/iuW1jB/xNXmP+Grg/lg02vwc0E=", url: Self.url + "x", parameters: Self.parameters))
        #expect(!validator.isValid(signature: "", url: Self.url, parameters: Self.parameters))
    }

    @Test func matchesTwilioLibraryVectorForJSONBody() {
        let validator = TwilioSignature(authToken: "12345678901234567890123456789012")
        let body = Array(#"{"CallSid":"CA1","CallStatus":"ringing"}"#.utf8)
        let url = Self.url + "?bodySHA256=6ed06a04b7c773434db391c2e22255cfb0eba6b6ddffa215724181129225ecf3"
        #expect(WebhookDigest.sha256Hex(body) == "6ed06a04b7c773434db391c2e22255cfb0eba6b6ddffa215724181129225ecf3")
        #expect(validator.isValid(signature: "uHVuXP3HjSlRLaWEz+op5S8A6A0=", url: url, jsonBody: body))
        // Same URL and signature, different body: the hash no longer matches.
        #expect(!validator.isValid(signature: "uHVuXP3HjSlRLaWEz+op5S8A6A0=", url: url, jsonBody: Array("{}".utf8)))
    }
}
