import Foundation
import OttoCalls
import OttoTestSupport
import Testing

/// Twilio signatures against Twilio's own Python library, run as a child process (the fixed
/// vectors are unit tests: TwilioSignatureTests).
@Suite struct TwilioSignatureLibraryTests {
    /// Random parameters (unicode, punctuation, spaces) signed by Twilio's Python library must
    /// verify here. Fails, never skips, when python3's `twilio` module is missing.
    @Test func agreesWithTwilioPythonLibraryOnRandomInputs() async throws {
        let alphabet = Array("abcXYZ019 +-_.~/?&=%éü☎️")
        var cases: [[String: Any]] = []
        for index in 0..<25 {
            var params: [String: String] = [:]
            for _ in 0..<Int.random(in: 0...6) {
                let name = String((0..<Int.random(in: 1...8)).map { _ in alphabet.randomElement()! })
                params[name] = String((0..<Int.random(in: 0...12)).map { _ in alphabet.randomElement()! })
            }
            cases.append(["url": "https://h\(index).example.com/webhooks/twilio/t?x=\(index)", "params": params])
        }
        let input = try JSONSerialization.data(withJSONObject: [
            "token": "abcdef0123456789abcdef0123456789", "cases": cases,
        ])
        let script = """
            import json, sys
            from twilio.request_validator import RequestValidator
            data = json.load(sys.stdin)
            v = RequestValidator(data["token"])
            print(json.dumps([v.compute_signature(c["url"], c["params"]) for c in data["cases"]]))
            """
        // Run without blocking a thread of the cooperative pool.
        let python = try await ProcessRunner.run("/usr/bin/env", ["python3", "-c", script], input: input)
        try #require(python.status == 0, "python3 with the twilio package is required (pip install twilio)")
        let output = python.output
        let expected = try JSONDecoder().decode([String].self, from: output)
        let validator = TwilioSignature(authToken: "abcdef0123456789abcdef0123456789")
        for (index, testCase) in cases.enumerated() {
            let params = (testCase["params"] as! [String: String]).map { (name: $0.key, value: $0.value) }
            #expect(validator.compute(url: testCase["url"] as! String, parameters: params) == expected[index])
        }
    }
}
