import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Fetches a JWKS document over HTTP(S) with AsyncHTTPClient's shared client.
struct HTTPJWKSSource: JWKSSource {
    let url: String
    var timeout: TimeAmount = .seconds(5)
    var minimumRefreshInterval: Duration = .seconds(10)

    func fetchJWKS() async throws -> String {
        let request = HTTPClientRequest(url: url)
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        guard response.status == .ok else { throw FetchFailed(status: Int(response.status.code)) }
        let body = try await response.body.collect(upTo: 1 << 20)
        return String(buffer: body)
    }

    struct FetchFailed: Error { var status: Int }
}
