import HTTPTypes
import Hummingbird
import NIOCore
import OttoTasks

/// Decides once per request which address the client has, for the rate limits' address buckets.
///
/// The TCP peer, unless `Fly-Client-IP` is trusted (`TRUST_FLY_CLIENT_IP`, on by default when
/// `FLY_APP_NAME` says the process runs on Fly): Fly's proxy sets that header on every request
/// and overwrites a client's own, so behind it the header is the client and the peer is the
/// proxy. Anywhere else the header is whatever the client wrote, and trusting it would let a
/// client pick a fresh bucket per request. A trusted header that is not an IP address is
/// ignored (the peer is used).
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = OttoRequestContext
    let trustFlyClientIP: Bool

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.clientAddress = Self.address(
            request: request, peer: context.remoteAddress, trustFlyClientIP: trustFlyClientIP)
        return try await next(request, context)
    }

    static func address(request: Request, peer: SocketAddress?, trustFlyClientIP: Bool) -> String {
        if trustFlyClientIP, let fly = request.headers[.flyClientIP], let address = canonicalIP(fly) {
            return address
        }
        return peer?.ipAddress ?? "unknown"
    }

    /// The canonical text of an IPv4 or IPv6 address, or nil when `text` is not one.
    static func canonicalIP(_ text: String) -> String? {
        let trimmed = String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
        guard !trimmed.isEmpty, trimmed.utf8.count <= 45 else { return nil }
        if let address = try? SocketAddress(ipAddress: trimmed, port: 0) { return address.ipAddress }
        return nil
    }
}
