import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import OttoProviders
import OttoTestSupport
import Testing

/// Runs `body` with a fresh stand-in and the four clients configured for it, then checks that
/// the stand-in saw no request that breaks the providers' contract.
func withStandIn(
    _ adjust: (inout ProviderConfiguration) -> Void = { _ in },
    _ body: (StandIn, ProviderClients) async throws -> Void
) async throws {
    let standIn = try await StandIn.start()
    var configuration = ProviderConfiguration(
        deepgram: .init(
            baseURL: standIn.baseURL, apiKey: .init(StandInCredentials.deepgramKey), requestTimeout: .seconds(30)),
        openAI: .init(
            baseURL: standIn.baseURL, apiKey: .init(StandInCredentials.openAIKey), requestTimeout: .seconds(30)),
        twilioMedia: .init(
            accountSID: StandInCredentials.twilioAccount, authToken: .init(StandInCredentials.twilioToken),
            requestTimeout: .seconds(30)),
        callRail: .init(
            baseURL: standIn.baseURL, apiKey: .init(StandInCredentials.callRailKey), requestTimeout: .seconds(30)))
    adjust(&configuration)
    // AsyncHTTPClient retries a refused connection until the connect timeout: keep it short.
    let http = ProviderHTTPClient(
        connectTimeout: .seconds(1), readTimeout: .seconds(30), logger: Logger(label: "otto.tests.providers"))
    do {
        try await body(standIn, ProviderClients(configuration: configuration, http: http))
        let violations = try await standIn.violations()
        #expect(violations.isEmpty, "the stand-in recorded violations:\n\(violations.joined(separator: "\n"))")
    } catch {
        try? await http.shutdown()
        await standIn.stop()
        throw error
    }
    try await http.shutdown()
    await standIn.stop()
}

/// The ProviderError `body` throws, or nil (recorded as a failure) when it throws another or none.
func providerError(_ body: () async throws -> some Any) async -> ProviderError? {
    do {
        _ = try await body()
        Issue.record("expected a ProviderError, got a value")
        return nil
    } catch let error as ProviderError {
        return error
    } catch {
        Issue.record("expected a ProviderError, got \(error)")
        return nil
    }
}
