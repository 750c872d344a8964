#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A JWT header read without verifying the token: only for choosing a key (`kid`), never for
/// trusting the caller or choosing a rate-limit bucket.
struct UnverifiedToken: Sendable {
    var algorithm: String?
    var keyID: String?

    init?(_ token: String) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64.decode(String(parts[0])) else { return nil }
        struct Header: Decodable {
            var alg: String?
            var kid: String?
        }
        guard let header = try? JSONDecoder().decode(Header.self, from: Data(headerBytes)) else { return nil }
        algorithm = header.alg
        keyID = header.kid
    }
}
