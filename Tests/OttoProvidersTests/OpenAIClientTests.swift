import OttoProviders
import OttoTestSupport
import Testing

@Suite("OpenAIClient against the stand-in")
struct OpenAIClientTests {
    static let transcript = Transcript(
        utterances: [
            .init(channel: 0, speaker: nil, start: 0.4, end: 3.1, confidence: 0.93, text: "Hello, thanks for calling."),
            .init(
                channel: 1, speaker: nil, start: 3.6, end: 7.9, confidence: 0.9,
                text: "I wanted to ask about the price of a new kitchen."),
            .init(
                channel: 0, speaker: nil, start: 8.3, end: 11.0, confidence: 0.95, text: "We can visit next Tuesday."),
        ], durationSeconds: 12, model: "nova-3")

    @Test("the analysis comes back decoded, with the model and the tokens it cost")
    func analysis() async throws {
        try await withStandIn { standIn, clients in
            let completion = try await clients.openAI.analyse(Self.transcript)

            #expect(completion.model == OpenAIConfiguration.defaultModel)
            #expect(completion.usage.promptTokens > 0 && completion.usage.completionTokens > 0)
            #expect(!completion.value.summary.isEmpty)
            #expect(CallAnalysis.leadScoreRange.contains(completion.value.leadScore))
            let sent = try #require(try await standIn.requests("openai").first)
            #expect(sent["prompt_tokens"] as? Int == completion.usage.promptTokens)
            #expect(sent["completion_tokens"] as? Int == completion.usage.completionTokens)
        }
    }

    @Test(
        "an answer without a usable analysis is a CompletionFailure with its reason, never an empty analysis",
        arguments: [
            ("refusal", CompletionFailure.Reason.refusal("I'm sorry, but I can't help with that request.")),
            ("length", .truncated),
            ("content_filter", .contentFiltered),
            ("schema_mismatch", .schemaMismatch("summary is missing")),
        ])
    func unusableAnswers(fault: String, reason: CompletionFailure.Reason) async throws {
        try await withStandIn { standIn, clients in
            try await standIn.fault(["provider": "openai", "fault": fault])
            do {
                let completion = try await clients.openAI.analyse(Self.transcript)
                Issue.record("expected a CompletionFailure, got \(completion.value)")
            } catch let failure as CompletionFailure {
                #expect(failure.reason == reason)
                #expect(failure.model == OpenAIConfiguration.defaultModel)
                #expect(failure.usage.map { $0.promptTokens > 0 } == true)
            }
        }
    }

    @Test("a completion cut at max_completion_tokens is truncated, not half an analysis")
    func tokenBudget() async throws {
        try await withStandIn({ $0.openAI.maximumCompletionTokens = 5 }) { _, clients in
            do {
                _ = try await clients.openAI.analyse(Self.transcript)
                Issue.record("expected a CompletionFailure")
            } catch let failure as CompletionFailure {
                #expect(failure.reason == .truncated)
                #expect(failure.usage?.completionTokens == 5)
            }
        }
    }

    @Test(
        "OpenAI's failures become ProviderErrors",
        arguments: [
            (
                ["fault": "unauthorized"],
                ProviderError.Kind.rejected(
                    status: 401,
                    message:
                        "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys."
                )
            ),
            (["fault": "status", "status": 429, "retry_after": 2], .rateLimited(retryAfter: .seconds(2))),
            (["fault": "status", "status": 429, "retry_after": 0.25], .rateLimited(retryAfter: .milliseconds(250))),
            (
                ["fault": "status", "status": 429, "code": "insufficient_quota"],
                .rejected(
                    status: 429,
                    message:
                        "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors."
                )
            ),
            (["fault": "status", "status": 500], .unavailable(status: 500)),
            (["fault": "status", "status": 502], .unavailable(status: 502)),
            (["fault": "malformed"], .invalidResponse(reason: "the body is not a chat completion")),
        ] as [([String: any Sendable], ProviderError.Kind)])
    func failures(fault: [String: any Sendable], expected: ProviderError.Kind) async throws {
        try await withStandIn { standIn, clients in
            try await standIn.fault(fault.merging(["provider": "openai"]) { a, _ in a })
            let error = await providerError { try await clients.openAI.analyse(Self.transcript) }
            #expect(error == ProviderError(.openAI, expected))
        }
    }

    @Test("the request names a model the stand-in does not know: 404 is a rejection, not an outage")
    func unknownModel() async throws {
        try await withStandIn({ $0.openAI.model = "gpt-3.5-turbo" }) { standIn, clients in
            let error = await providerError { try await clients.openAI.analyse(Self.transcript) }
            guard case .rejected(404, _)? = error?.kind else {
                Issue.record("expected a 404 rejection, got \(String(describing: error))")
                return
            }
            // The stand-in counts an unknown model as a violation; this test means to send one.
            try await standIn.post("/_standin/reset", [:])
        }
    }
}
