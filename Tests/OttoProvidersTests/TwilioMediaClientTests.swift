import OttoProviders
import OttoTestSupport
import Testing

@Suite("TwilioMediaClient against the stand-in")
struct TwilioMediaClientTests {
    @Test("a recording behind media auth downloads through the redirect as a stream of the declared length")
    func basicAuthAndRedirect() async throws {
        try await withStandIn { standIn, clients in
            let recording = try await standIn.post("/_standin/recordings", ["duration": 20, "channels": 1])
            let url = try #require(recording["recording_url"] as? String)

            let media = try await clients.twilioMedia.fetchRecording(url)
            let (bytes, chunks) = try await media.body.collectAll()

            #expect(media.container == .wav)
            #expect(media.contentType == "audio/x-wav")
            #expect(media.contentLength == Int64(bytes.count))
            #expect(bytes.count > 20 * 8000 * 2)
            #expect(Array(bytes.prefix(4)) == Array("RIFF".utf8))
            #expect(chunks > 1, "the body arrives in pieces, never buffered whole")
            let sent = try await standIn.requests("twilio")
            #expect(sent.map { $0["path"] as? String ?? "" }.first?.hasSuffix(".wav") == true)
            #expect(sent.count == 2)
            let cdn = try #require(sent.last)
            #expect((cdn["path"] as? String)?.hasPrefix("/twiliocdn/") == true)
            #expect((cdn["headers"] as? [String: String])?["authorization"] == nil, "credentials stop at the redirect")
        }
    }

    @Test("without media auth and without credentials the recording downloads directly")
    func noMediaAuth() async throws {
        try await withStandIn({ $0.twilioMedia = .init(requestTimeout: .seconds(30)) }) { standIn, clients in
            let recording = try await standIn.post(
                "/_standin/recordings", ["duration": 5, "channels": 2, "basic_auth": false])
            let media = try await clients.twilioMedia.fetchRecording(
                try #require(recording["recording_url"] as? String))
            let (bytes, _) = try await media.body.collectAll()
            #expect(media.contentLength == Int64(bytes.count))
            #expect(try await standIn.requests("twilio").count == 1)
        }
    }

    @Test("an MP3 is asked for with .mp3 and recognised by its bytes")
    func mp3() async throws {
        try await withStandIn { standIn, clients in
            let recording = try await standIn.post("/_standin/recordings", ["duration": 6])
            let media = try await clients.twilioMedia.fetchRecording(
                try #require(recording["recording_url"] as? String), as: .mp3)
            let (bytes, _) = try await media.body.collectAll()
            #expect(media.container == .mp3)
            #expect(media.contentLength == Int64(bytes.count))
        }
    }

    @Test(
        "Twilio's failures become ProviderErrors",
        arguments: [
            (["fault": "unauthorized"], ProviderError.Kind.rejected(status: 401, message: "Authenticate")),
            (["fault": "status", "status": 429, "retry_after": 3], .rateLimited(retryAfter: .seconds(3))),
            (["fault": "status", "status": 500], .unavailable(status: 500)),
            (["fault": "status", "status": 502], .unavailable(status: 502)),
        ] as [([String: any Sendable], ProviderError.Kind)])
    func failures(fault: [String: any Sendable], expected: ProviderError.Kind) async throws {
        try await withStandIn { standIn, clients in
            let recording = try await standIn.post("/_standin/recordings", ["duration": 5])
            try await standIn.fault(fault.merging(["provider": "twilio"]) { a, _ in a })
            let error = await providerError {
                try await clients.twilioMedia.fetchRecording(try #require(recording["recording_url"] as? String))
            }
            #expect(error == ProviderError(.twilio, expected))
        }
    }

    @Test("bytes that are not audio fail when the stream starts, before any reach the transcriber")
    func malformedMedia() async throws {
        try await withStandIn { standIn, clients in
            let recording = try await standIn.post(
                "/_standin/recordings", ["duration": 5, "basic_auth": true, "redirect": false])
            try await standIn.fault(["provider": "twilio", "fault": "malformed"])
            let media = try await clients.twilioMedia.fetchRecording(
                try #require(recording["recording_url"] as? String))
            let error = await providerError { try await media.body.collectAll() }
            #expect(error == ProviderError(.twilio, .invalidResponse(reason: "the media is not WAV audio")))
        }
    }

    @Test("a download cut off mid-stream fails as the provider's outage")
    func cutOff() async throws {
        try await withStandIn { standIn, clients in
            let recording = try await standIn.post(
                "/_standin/recordings", ["duration": 30, "basic_auth": true, "redirect": false])
            try await standIn.fault(["provider": "twilio", "fault": "disconnect", "after_bytes": 50_000])
            let error = await providerError {
                let media = try await clients.twilioMedia.fetchRecording(
                    try #require(recording["recording_url"] as? String))
                return try await media.body.collectAll()
            }
            #expect(error == ProviderError(.twilio, .unavailable(status: nil)))
        }
    }

    @Test("credentials are never sent to a recording of another account")
    func otherAccount() async throws {
        try await withStandIn { standIn, clients in
            let other = "AC" + String(repeating: "1", count: 32)
            let error = await providerError {
                try await clients.twilioMedia.fetchRecording(
                    "\(standIn.baseURL)/2010-04-01/Accounts/\(other)/Recordings/RE\(String(repeating: "2", count: 32))")
            }
            #expect(
                error?.kind == .invalidResponse(reason: "the RecordingUrl is not a recording of the configured account")
            )
            let sent = try await standIn.requests("twilio")
            #expect(sent.isEmpty)
        }
    }
}
