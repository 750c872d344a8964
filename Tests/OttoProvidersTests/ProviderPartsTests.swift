import Foundation
import NIOCore
import Testing

@testable import OttoProviders

@Suite("Provider client parts")
struct ProviderPartsTests {
    @Test("error bodies give the provider's message in each provider's shape, shortened")
    func errorBodies() {
        func read(_ text: String) -> ProviderErrorBody { ProviderErrorBody(ByteBuffer(string: text)) }
        #expect(
            read(#"{"err_code": "INVALID_AUTH", "err_msg": "Invalid credentials."}"#).text == "Invalid credentials.")
        let quota = read(
            #"{"error": {"message": "quota", "type": "insufficient_quota", "code": "insufficient_quota"}}"#)
        #expect(quota.text == "quota" && quota.code == "insufficient_quota")
        #expect(read(#"{"error": "Not found"}"#).text == "Not found")
        #expect(read(#"{"code": 20003, "message": "Authenticate"}"#).text == "Authenticate")
        #expect(read("<html>\r\n<b>502</b>\n</html>").text == "<html> <b>502</b> </html>")
        #expect(read(String(repeating: "x", count: 1000)).text.count == ProviderErrorBody.maximumLength + 1)
    }

    @Test("HTTP Basic credentials are base64 of user:password")
    func basic() {
        #expect(
            BasicAuthorization.value(user: "Aladdin", password: "open sesame") == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
        #expect(BasicAuthorization.base64(Array("ab".utf8)) == "YWI=")
        #expect(BasicAuthorization.base64(Array("a".utf8)) == "YQ==")
    }

    @Test("Twilio's RecordingUrl gets the container's extension; other URLs are refused")
    func twilioURL() {
        let base = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"
        #expect(TwilioMediaClient.mediaURL(base, container: .wav) == base + ".wav")
        #expect(TwilioMediaClient.mediaURL(base + ".mp3", container: .wav) == base + ".wav")
        #expect(TwilioMediaClient.mediaURL(base + "/", container: .mp3) == base + ".mp3")
        #expect(TwilioMediaClient.mediaURL("ftp://x/Recordings/RE1", container: .wav) == nil)
        #expect(TwilioMediaClient.mediaURL(base + "?x=1", container: .wav) == nil)
        #expect(TwilioMediaClient.mediaURL("https://evil.example/file", container: .wav) == nil)
    }

    @Test("a redirect's Location is absolute or on the same origin")
    func redirects() {
        let from = "http://127.0.0.1:1234/a/b?c=d"
        #expect(ProviderHTTPClient.resolve("/x/y.wav", against: from) == "http://127.0.0.1:1234/x/y.wav")
        #expect(ProviderHTTPClient.resolve("https://cdn.example/z", against: from) == "https://cdn.example/z")
        #expect(ProviderHTTPClient.resolve("//cdn.example/z", against: from) == nil)
        #expect(ProviderHTTPClient.resolve("relative", against: from) == nil)
    }

    @Test("containers are known by type and by their first bytes")
    func containers() {
        #expect(AudioContainer(contentType: "audio/x-wav") == .wav)
        #expect(AudioContainer(contentType: "audio/mpeg; charset=binary") == .mp3)
        #expect(AudioContainer(contentType: "text/html") == nil)
        #expect(AudioContainer(sniffing: Array("RIFF\u{0}\u{0}\u{0}\u{0}WAVE".utf8)) == .wav)
        #expect(AudioContainer(sniffing: Array("ID3\u{4}".utf8)) == .mp3)
        #expect(AudioContainer(sniffing: [0xFF, 0xFB, 0x90, 0x00]) == .mp3)
        #expect(AudioContainer(sniffing: Array("<html>".utf8)) == nil)
    }

    @Test("the analysis schema is strict: every object closed, every property required")
    func schema() throws {
        let encoded = String(decoding: try JSONEncoderForTests.encode(CallAnalysis.schema), as: UTF8.self)
        #expect(encoded.contains(#""additionalProperties":false"#))
        #expect(
            encoded.contains(#""required":["summary","sentiment","outcome","objections","next_steps","lead_score"]"#))
        #expect(encoded.contains(#""minimum":0"#) && encoded.contains(#""maximum":100"#))
    }

    @Test("the description of a provider error carries no key and no provider text")
    func descriptions() {
        let error = ProviderError(.openAI, .rejected(status: 401, message: "Incorrect API key provided: sk-s****-key"))
        #expect(error.description == "openai rejected the request (HTTP 401)")
        #expect(!error.isProviderOutage)
        #expect(ProviderError(.twilio, .rateLimited(retryAfter: nil)).isProviderOutage)
        #expect(ProviderError(.deepgram, .unavailable(status: nil)).isProviderOutage)
    }

    @Test("a lead score outside 0...100 does not decode")
    func leadScore() throws {
        let valid =
            #"{"summary":"s","sentiment":"mixed","outcome":"sale","objections":[],"next_steps":["call"],"lead_score":100}"#
        #expect(try JSONDecoderForTests.decode(CallAnalysis.self, valid).leadScore == 100)
        #expect(throws: DecodingError.self) {
            try JSONDecoderForTests.decode(CallAnalysis.self, valid.replacingOccurrences(of: "100", with: "101"))
        }
    }
}
