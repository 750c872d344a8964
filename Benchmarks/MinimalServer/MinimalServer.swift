import HTTPTypes
import Hummingbird

/// The ceiling `make bench` compares otto-api with: a bare Hummingbird 2 server answering one
/// static JSON route, built with the same flags, on the same machine, in the same run.
@main
struct MinimalServer {
    static func main() async throws {
        let port = Int(CommandLine.arguments.dropFirst().first ?? "8099") ?? 8099
        let router = Router()
        router.get("/health") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(
                status: .ok, headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: "{\"status\":\"healthy\",\"service\":\"baseline\"}")))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await app.runService()
    }
}
