import Crypto
import HTTPTypes
import Hummingbird
import NIOCore

/// Internal routes answer loopback peers, or callers presenting `INTERNAL_API_TOKEN`.
///
/// A request that came through a public edge proxy (it carries `Fly-Client-IP` or
/// `X-Forwarded-For`) is never treated as loopback, because on Fly the proxy's own connection
/// may look local. Refusals are 403.
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
            if ConstantTime.equal(presented, Array(token.utf8)) { return true }
        }
        let proxied =
            request.headers[HTTPField.Name("Fly-Client-IP")!] != nil
            || request.headers[HTTPField.Name("X-Forwarded-For")!] != nil
        return !proxied && isLoopback(remote)
    }

    static func isLoopback(_ address: SocketAddress?) -> Bool {
        guard let address else { return false }
        switch address {
        case .v4(let v4): return v4.address.sin_addr.s_addr & 0xFF == 127  // network byte order: first octet
        case .v6:
            let ip = address.ipAddress ?? ""
            return ip == "::1" || ip.hasPrefix("::ffff:127.")
        case .unixDomainSocket: return true
        }
    }
}

/// Comparisons whose time does not depend on where the inputs differ.
enum ConstantTime {
    static func equal(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        // Hash both so lengths do not leak through early exit.
        let left = Array(SHA256.hash(data: lhs))
        let right = Array(SHA256.hash(data: rhs))
        var difference: UInt8 = 0
        for index in 0..<left.count { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
