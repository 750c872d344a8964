import Logging
import OttoProviders
import OttoTestSupport
import Testing

/// The providers' client opens as many connections to one host as it is told: otherwise a
/// provider limit of 20 is in effect async-http-client's default of 8, and the other permits'
/// requests wait inside the client holding their worker slots (found by `make bench`'s pipeline
/// section: 8 Deepgram requests at once whatever DEEPGRAM_CONCURRENCY said).
@Suite("ProviderHTTPClient connection pool")
struct ProviderHTTPClientPoolTests {
    /// Sends `requests` transcriptions at once to a host that never answers and returns how many
    /// connections it received once they stop growing.
    static func connectionsOpened(connectionsPerHost: Int?, requests: Int) async throws -> Int {
        let listener = try await SilentListener.start()
        let logger = Logger(label: "otto.tests.providers")
        let http =
            connectionsPerHost.map { ProviderHTTPClient(connectionsPerHost: $0, logger: logger) }
            ?? ProviderHTTPClient(logger: logger)
        let deepgram = DeepgramClient(
            configuration: .init(baseURL: "http://127.0.0.1:\(listener.port)", apiKey: .init("k")), http: http)
        let opened = await withTaskGroup(of: Void.self) { group in
            for _ in 0..<requests {
                group.addTask {
                    _ = try? await deepgram.transcribe(
                        TestAudio.stream([]), container: .wav, contentLength: 0, channels: .mono)
                }
            }
            _ = await eventually(timeout: .seconds(5)) { listener.acceptedConnections >= requests }
            // Let any connection still to come arrive before counting.
            try? await Task.sleep(for: .milliseconds(500))
            let opened = listener.acceptedConnections
            group.cancelAll()
            return opened
        }
        await listener.stop()
        try await http.shutdown()
        return opened
    }

    @Test("told 20 per host, 20 requests at once open 20 connections")
    func sizedPool() async throws {
        #expect(try await Self.connectionsOpened(connectionsPerHost: 20, requests: 20) == 20)
    }

    @Test("left at the default, the same 20 requests get 8 connections (async-http-client's default)")
    func defaultPool() async throws {
        #expect(try await Self.connectionsOpened(connectionsPerHost: nil, requests: 20) == 8)
        #expect(ProviderHTTPClient.defaultConnectionsPerHost == 8)
    }
}
