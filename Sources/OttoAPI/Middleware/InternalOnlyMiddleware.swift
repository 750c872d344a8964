import Crypto
import HTTPTypes
import Hummingbird
import NIOCore
import OttoSupport
import OttoTasks

/// Internal routes answer loopback peers, or callers presenting `INTERNAL_API_TOKEN`.
///
/// A request that came through a proxy (it carries any of `Forwarded`, `X-Forwarded-For`,
/// `X-Real-IP` or `Fly-Client-IP`) is never treated as loopback, because a proxy on the same
/// machine (Fly's, a sidecar, `fly proxy`) makes every client look local. Refusals are 403.
struct InternalOnlyMiddleware: RouterMiddleware {
    typealias Context = OttoRequestContext
    let token: String?

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard Self.isAllowed(request: request, remote: context.remoteAddress, token: token) else {
            throw Problem(
                .forbidden, detail: "This route is internal: call it from loopback or with the internal token.")
        }
        return try await next(request, context)
    }

    static func isAllowed(request: Request, remote: SocketAddress?, token: String?) -> Bool {
        if let token, let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer ") {
            let presented = Array(authorization.utf8.dropFirst(7))
            // Hashed first, so the token's length does not show in the comparison's time either.
            if ConstantTime.equals(Array(SHA256.hash(data: presented)), Array(SHA256.hash(data: Array(token.utf8)))) {
                return true
            }
        }
        return !isProxied(request) && isLoopback(remote)
    }

    /// The headers by which proxies name the client they forward for.
    static let proxyHeaders: [HTTPField.Name] = [
        HTTPField.Name("Forwarded")!, HTTPField.Name("X-Forwarded-For")!, HTTPField.Name("X-Real-IP")!,
        HTTPField.Name("Fly-Client-IP")!,
    ]

    /// Whether the request names a client it was forwarded for (any proxy header, even empty).
    static func isProxied(_ request: Request) -> Bool {
        proxyHeaders.contains { request.headers[$0] != nil }
    }

    static func isLoopback(_ address: SocketAddress?) -> Bool {
        guard let address else { return false }
        switch address {
        // 127.0.0.0/8: the first octet of the dotted form (NIO's own text, no C struct needed).
        case .v4: return address.ipAddress?.hasPrefix("127.") == true
        case .v6:
            let ip = address.ipAddress ?? ""
            return ip == "::1" || ip.hasPrefix("::ffff:127.")
        case .unixDomainSocket: return true
        }
    }
}
