import NIOCore
import OttoProviders
import OttoTestSupport
import Testing

@Suite("DeepgramClient against the stand-in")
struct DeepgramClientTests {
    @Test("a mono WAV is streamed with diarisation and comes back as time-ordered utterances per speaker")
    func monoDiarised() async throws {
        try await withStandIn { standIn, clients in
            let audio = TestAudio.wav(seconds: 40, channels: 1)
            let transcript = try await clients.deepgram.transcribe(
                TestAudio.stream(audio), container: .wav, contentLength: Int64(audio.count), channels: .mono)

            #expect(transcript.durationSeconds == 40)
            #expect(transcript.model == "nova-3")
            #expect(transcript.modelName == "general-nova-3")
            #expect(transcript.requestID != nil)
            #expect(transcript.utterances.count >= 4)
            #expect(Set(transcript.utterances.compactMap(\.speaker)) == [0, 1])
            #expect(transcript.utterances.allSatisfy { $0.start < $0.end && !$0.text.isEmpty })
            #expect(transcript.utterances.map(\.start) == transcript.utterances.map(\.start).sorted())
            let sent = try #require(try await standIn.requests("deepgram").first)
            let query = try #require(sent["query"] as? [String: String])
            #expect(
                query == [
                    "model": "nova-3", "smart_format": "true", "utterances": "true", "diarize": "true",
                ])
            #expect(sent["audio_bytes"] as? Int == audio.count)
        }
    }

    @Test("a dual-channel Twilio recording streams from the download into Deepgram, one party per channel")
    func dualChannelFromTwilio() async throws {
        try await withStandIn { standIn, clients in
            let recording = try await standIn.post("/_standin/recordings", ["duration": 30, "channels": 2])
            let url = try #require(recording["recording_url"] as? String)
            let media = try await clients.twilioMedia.fetchRecording(url)
            let transcript = try await clients.deepgram.transcribe(media, channels: .dual)

            #expect(transcript.durationSeconds == 30)
            #expect(Set(transcript.utterances.map(\.channel)) == [0, 1])
            #expect(transcript.utterances.allSatisfy { $0.speaker == nil })
            // The stand-in answers channel 0's utterances, then channel 1's (as documented).
            #expect(transcript.utterances.map(\.start) == transcript.utterances.map(\.start).sorted())
            let sent = try #require(try await standIn.requests("deepgram").first)
            #expect((sent["query"] as? [String: String])?["multichannel"] == "true")
            #expect(sent["media"] as? String == recording["sid"] as? String)
        }
    }

    @Test("a download that breaks during the upload fails as the recording provider's error, not Deepgram's")
    func brokenSource() async throws {
        try await withStandIn { standIn, clients in
            let recording = try await standIn.post(
                "/_standin/recordings", ["duration": 60, "channels": 1, "redirect": false])
            try await standIn.fault(["provider": "twilio", "fault": "disconnect", "after_bytes": 200_000])
            let media = try await clients.twilioMedia.fetchRecording(
                try #require(recording["recording_url"] as? String))
            let error = await providerError { try await clients.deepgram.transcribe(media, channels: .mono) }
            #expect(error == ProviderError(.twilio, .unavailable(status: nil)))
        }
    }

    @Test(
        "Deepgram's failures become ProviderErrors",
        arguments: [
            (["fault": "unauthorized"], ProviderError.Kind.rejected(status: 401, message: "Invalid credentials.")),
            (["fault": "status", "status": 429, "retry_after": 2], .rateLimited(retryAfter: .seconds(2))),
            (["fault": "status", "status": 429], .rateLimited(retryAfter: nil)),
            (["fault": "status", "status": 503], .unavailable(status: 503)),
            (["fault": "status", "status": 502], .unavailable(status: 502)),
            (
                ["fault": "status", "status": 402],
                .rejected(
                    status: 402,
                    message:
                        "Project does not have enough credits for an ASR request and does not have an overage agreement."
                )
            ),
            (["fault": "malformed"], .invalidResponse(reason: "the body is not a transcription result")),
            (["fault": "disconnect"], .unavailable(status: nil)),
        ] as [([String: any Sendable], ProviderError.Kind)])
    func failures(fault: [String: any Sendable], expected: ProviderError.Kind) async throws {
        try await withStandIn { standIn, clients in
            try await standIn.fault(fault.merging(["provider": "deepgram"]) { a, _ in a })
            let audio = TestAudio.wav(seconds: 5, channels: 1)
            let error = await providerError {
                try await clients.deepgram.transcribe(
                    TestAudio.stream(audio), container: .wav, contentLength: Int64(audio.count), channels: .mono)
            }
            #expect(error == ProviderError(.deepgram, expected))
            #expect(error?.isProviderOutage == (expected.isOutage))
        }
    }

    @Test("no answer at all (nothing listens) is the provider's outage")
    func connectionRefused() async throws {
        try await withStandIn({ $0.deepgram.baseURL = "http://127.0.0.1:9" }) { _, clients in
            let audio = TestAudio.wav(seconds: 1, channels: 1)
            let error = await providerError {
                try await clients.deepgram.transcribe(
                    TestAudio.stream(audio), container: .wav, contentLength: Int64(audio.count), channels: .mono)
            }
            #expect(error == ProviderError(.deepgram, .unavailable(status: nil)))
        }
    }
}

extension ProviderError.Kind {
    var isOutage: Bool { ProviderError(.deepgram, self).isProviderOutage }
}
