import Logging
import OttoProviders
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing

@Suite("ProviderHTTPClient as a Service")
struct ProviderHTTPClientServiceTests {
    @Test("run() waits for graceful shutdown, then shuts the client down")
    func gracefulShutdown() async throws {
        let http = ProviderHTTPClient(connectTimeout: .seconds(1), logger: Logger(label: "otto.tests.providers"))
        let deepgram = DeepgramClient(
            configuration: .init(baseURL: "http://127.0.0.1:9", apiKey: .init("k")), http: http)
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await http.run() }
                // Still running: a request goes out (and finds nothing listening).
                let before = await providerError {
                    try await deepgram.transcribe(
                        TestAudio.stream([]), container: .wav, contentLength: 0, channels: .mono)
                }
                #expect(before == ProviderError(.deepgram, .unavailable(status: nil)))
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        // Shut down: a second shutdown is refused, which only a shut-down client does.
        await #expect(throws: (any Error).self) { try await http.shutdown() }
    }
}
