#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A JWT read without verifying it: only for choosing a key (`kid`) and a rate-limit bucket,
/// never for trusting the caller.
struct UnverifiedToken: Sendable {
    var algorithm: String?
    var keyID: String?
    /// `o.id`, else `org_id`, else `sub`: the rate-limit subject.
    var subject: String?

    init?(_ token: String) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64.decode(String(parts[0])) else { return nil }
        struct Header: Decodable {
            var alg: String?
            var kid: String?
        }
        struct Claims: Decodable {
            var sub: String?
            var org_id: String?
            var o: ClerkClaims.Organisation?
        }
        guard let header = try? JSONDecoder().decode(Header.self, from: Data(headerBytes)) else { return nil }
        algorithm = header.alg
        keyID = header.kid
        if let payloadBytes = Base64.decode(String(parts[1])),
            let claims = try? JSONDecoder().decode(Claims.self, from: Data(payloadBytes))
        {
            subject = claims.o?.id ?? claims.org_id ?? claims.sub
        }
    }
}
