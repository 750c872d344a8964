import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import OttoCalls
import OttoTasks
import Testing

/// A loopback stand-in for a Clerk instance's JWKS endpoint that can be slow or down and counts
/// the fetches it answers.
final class JWKSStandIn: Sendable {
    private struct State {
        var document = ""
        var delay: Duration = .zero
        var down = false
        var fetches = 0
    }

    private let state = NIOLockedValueBox(State())

    func serve(_ document: String) { state.withLockedValue { $0.document = document } }
    func setDelay(_ delay: Duration) { state.withLockedValue { $0.delay = delay } }
    func setDown(_ down: Bool) { state.withLockedValue { $0.down = down } }
    /// Requests the endpoint received.
    var fetches: Int { state.withLockedValue { $0.fetches } }

    /// Runs the endpoint on a free loopback port for the duration of `body`, which gets its URL.
    func run<Value: Sendable>(_ body: @Sendable (String) async throws -> Value) async throws -> Value {
        let router = Router()
        router.get("/.well-known/jwks.json") { _, _ -> Response in
            let (delay, down, document) = self.state.withLockedValue { state in
                state.fetches += 1
                return (state.delay, state.down, state.document)
            }
            if delay > .zero { try await Task.sleep(for: delay) }
            if down { return Response(status: .serviceUnavailable) }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: document)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            let port = try #require(client.port)
            return try await body("http://127.0.0.1:\(port)/.well-known/jwks.json")
        }
    }
}
