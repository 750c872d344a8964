import JWTKit
import Logging
import OttoCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Verifies Clerk session tokens (RS256): networkless with `CLERK_JWT_KEY`, otherwise with the
/// instance's JWKS, cached and refreshed when a token names a key id the cache does not know
/// (Clerk rotates keys by adding one), at most once per the source's minimum refresh interval.
actor ClerkTokenVerifier {
    /// Clock skew tolerated on `exp` and `nbf`.
    static let leeway: Double = 5

    private enum KeySource {
        case pem(Insecure.RSA.PublicKey)
        case jwks(any JWKSSource)
    }

    private var keys = JWTKeyCollection()
    private let source: KeySource
    private var knownKeyIDs: Set<String> = []
    private var pemLoaded = false
    private var lastRefresh: ContinuousClock.Instant?
    private let refreshInterval: Duration
    private let allowedOrigins: Set<String>
    private let anyOrigin: Bool
    private let logger: Logger

    /// Verification with one PEM public key (`CLERK_JWT_KEY`).
    init(publicKeyPEM: String, allowedOrigins: [String], logger: Logger) throws {
        // Environment files often carry the PEM with literal `\n`.
        let pem = publicKeyPEM.split(separator: "\\n", omittingEmptySubsequences: false).joined(separator: "\n")
        self.source = .pem(try Insecure.RSA.PublicKey(pem: pem))
        self.refreshInterval = .zero
        self.allowedOrigins = Set(allowedOrigins.filter { $0 != "*" })
        self.anyOrigin = allowedOrigins.contains("*")
        self.logger = logger
    }

    /// Verification with keys fetched from `source`.
    init(jwks source: any JWKSSource, allowedOrigins: [String], logger: Logger) {
        self.source = .jwks(source)
        self.refreshInterval = source.minimumRefreshInterval
        self.allowedOrigins = Set(allowedOrigins.filter { $0 != "*" })
        self.anyOrigin = allowedOrigins.contains("*")
        self.logger = logger
    }

    /// The token's claims when its signature, time window and `azp` are valid.
    func verify(_ token: String, now: Double = UnixTime.now()) async throws(AuthenticationFailure) -> ClerkClaims {
        guard let header = UnverifiedToken(token), header.algorithm == "RS256" else {
            throw .invalidToken
        }
        if case .pem(let key) = source, !pemLoaded {
            await keys.add(rsa: key, digestAlgorithm: .sha256)
            pemLoaded = true
        }
        if case .jwks(let source) = source {
            let known = header.keyID.map { knownKeyIDs.contains($0) } ?? !knownKeyIDs.isEmpty
            if !known { await refresh(from: source) }
            guard let keyID = header.keyID, knownKeyIDs.contains(keyID) else { throw .invalidToken }
        }
        let claims: ClerkClaims
        do {
            claims = try await keys.verify(token, as: ClerkClaims.self)
        } catch {
            throw .invalidToken
        }
        if let exp = claims.exp, now > exp + Self.leeway { throw .expired }
        if claims.exp == nil { throw .invalidToken }
        if let nbf = claims.nbf, now + Self.leeway < nbf { throw .invalidToken }
        if let azp = claims.azp, !azp.isEmpty, !anyOrigin, !allowedOrigins.contains(azp) {
            throw .invalidToken
        }
        return claims
    }

    private func refresh(from source: any JWKSSource) async {
        let now = ContinuousClock.now
        if let lastRefresh, now - lastRefresh < refreshInterval { return }
        lastRefresh = now
        do {
            let json = try await source.fetchJWKS()
            let jwks = try JSONDecoder().decode(JWKS.self, from: Data(json.utf8))
            let fresh = JWTKeyCollection()
            try await fresh.add(jwks: jwks)
            keys = fresh
            knownKeyIDs = Set(jwks.keys.compactMap { $0.keyIdentifier?.string })
        } catch {
            logger.warning(
                "clerk jwks refresh failed", metadata: ["error": .string(String(reflecting: type(of: error)))])
        }
    }
}

/// Why a session token was refused; every case answers 401.
enum AuthenticationFailure: Error, Sendable {
    case missingToken
    case invalidToken
    case expired
}
