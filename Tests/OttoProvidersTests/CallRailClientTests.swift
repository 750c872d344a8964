import OttoProviders
import OttoTestSupport
import Testing

@Suite("CallRailClient against the stand-in")
struct CallRailClientTests {
    static let account = StandInCredentials.callRailAccount

    @Test(
        "a call's recording is found through API v3 and its MP3 streamed through CallRail's redirect",
        arguments: [false, true])
    func recording(hipaa: Bool) async throws {
        try await withStandIn { standIn, clients in
            let created = try await standIn.post(
                "/_standin/callrail/calls", ["duration": 45, "hipaa": hipaa, "account_id": Self.account])
            let call = try #require((created["call"] as? [String: Any])?["id"] as? String)

            let url = try await clients.callRail.recordingURL(accountID: Self.account, callID: call)
            #expect(url.contains(hipaa ? "/callrail-media/" : "/recording/redirect?access_key="))
            let media = try await clients.callRail.fetchRecording(accountID: Self.account, callID: call)
            let (bytes, _) = try await media.body.collectAll()
            #expect(media.container == .mp3)
            #expect(media.contentLength == Int64(bytes.count))
            let sent = try await standIn.requests("callrail")
            let mediaRequests = sent.filter { ($0["path"] as? String)?.hasPrefix("/v3/") == false }
            #expect(mediaRequests.allSatisfy { ($0["headers"] as? [String: String])?["authorization"] == nil })
        }
    }

    @Test(
        "CallRail's failures become ProviderErrors",
        arguments: [
            (
                ["fault": "unauthorized"],
                ProviderError.Kind.rejected(status: 401, message: "HTTP Token: Access denied.")
            ),
            (["fault": "status", "status": 429, "retry_after": 60], .rateLimited(retryAfter: .seconds(60))),
            (["fault": "status", "status": 429], .rateLimited(retryAfter: nil)),
            (["fault": "status", "status": 503], .unavailable(status: 503)),
            (["fault": "malformed"], .invalidResponse(reason: "the body is not a recording object with a URL")),
        ] as [([String: any Sendable], ProviderError.Kind)])
    func failures(fault: [String: any Sendable], expected: ProviderError.Kind) async throws {
        try await withStandIn { standIn, clients in
            let created = try await standIn.post("/_standin/callrail/calls", ["account_id": Self.account])
            let call = try #require((created["call"] as? [String: Any])?["id"] as? String)
            try await standIn.fault(fault.merging(["provider": "callrail"]) { a, _ in a })
            let error = await providerError {
                try await clients.callRail.recordingURL(accountID: Self.account, callID: call)
            }
            #expect(error == ProviderError(.callRail, expected))
        }
    }

    @Test("a call without a recording is a rejection (404)")
    func noRecording() async throws {
        try await withStandIn { standIn, clients in
            let created = try await standIn.post(
                "/_standin/callrail/calls", ["account_id": Self.account, "recording": false])
            let call = try #require((created["call"] as? [String: Any])?["id"] as? String)
            let error = await providerError {
                try await clients.callRail.recordingURL(accountID: Self.account, callID: call)
            }
            #expect(error == ProviderError(.callRail, .rejected(status: 404, message: "Not found")))
        }
    }
}
