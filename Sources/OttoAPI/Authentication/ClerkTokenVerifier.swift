import JWTKit
import Logging
import OttoSupport
import OttoTasks

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Verifies Clerk session tokens (RS256): networkless with `CLERK_JWT_KEY`, otherwise with the
/// instance's JWKS.
///
/// The JWKS is fetched when a token names a key id the cache does not know: on the first
/// request, and when Clerk rotates keys (it adds one). One fetch is in flight at a time and
/// every request that needs it waits for it, for at most `fetchWait`; so the first requests
/// after a start wait for the keys instead of failing. While no fetch has succeeded yet,
/// attempts are at most one per `retryInterval`; afterwards a refresh for an unknown key id is
/// at most one per the source's minimum refresh interval, so tokens naming random key ids never
/// turn into a flood of requests to Clerk. When the keys cannot be had (the fetch failed or
/// took too long, and the token's key is not cached), the answer is `keysUnavailable` (503),
/// never `invalidToken` (401): a 401 signs the user out of the product. A key id still unknown
/// after a successful refresh is `invalidToken`.
///
/// `issuer` is the instance's Frontend API (`https://<host>` from `CLERK_PUBLISHABLE_KEY`): a
/// token whose `iss` differs is refused. Without a publishable key (only `CLERK_JWT_KEY`,
/// which strict environments do not allow) the Frontend API is unknown and the signature by
/// the instance's own key is what binds the token to the instance.
actor ClerkTokenVerifier {
    /// Clock skew tolerated on `exp` and `nbf`.
    static let leeway: Double = 5

    private enum KeySource {
        case pem(Insecure.RSA.PublicKey)
        case jwks(any JWKSSource)
    }

    private enum FetchOutcome {
        case fetched
        case failed
        case throttled
    }

    private var keys = JWTKeyCollection()
    private let source: KeySource
    private var knownKeyIDs: Set<String> = []
    private var pemLoaded = false
    /// Whether a JWKS fetch has ever succeeded.
    private var jwksLoaded = false
    private var lastAttempt: ContinuousClock.Instant?
    private var lastAttemptFailed = false
    private var inFlight: Task<Bool, Never>?
    private let refreshInterval: Duration
    private let retryInterval: Duration
    private let fetchWait: Duration
    private let issuer: String?
    private let allowedOrigins: Set<String>
    private let anyOrigin: Bool
    private let logger: Logger

    /// Verification with one PEM public key (`CLERK_JWT_KEY`).
    init(publicKeyPEM: String, issuer: String?, allowedOrigins: [String], logger: Logger) throws {
        // Environment files often carry the PEM with literal `\n`.
        let pem = publicKeyPEM.split(separator: "\\n", omittingEmptySubsequences: false).joined(separator: "\n")
        self.source = .pem(try Insecure.RSA.PublicKey(pem: pem))
        self.refreshInterval = .zero
        self.retryInterval = .zero
        self.fetchWait = .zero
        self.issuer = issuer
        self.allowedOrigins = Set(allowedOrigins.filter { $0 != "*" })
        self.anyOrigin = allowedOrigins.contains("*")
        self.logger = logger
    }

    /// Verification with keys fetched from `source`.
    init(
        jwks source: any JWKSSource, issuer: String?, allowedOrigins: [String], logger: Logger,
        fetchWait: Duration = .seconds(5), retryInterval: Duration = .seconds(1)
    ) {
        self.source = .jwks(source)
        self.refreshInterval = source.minimumRefreshInterval
        self.retryInterval = retryInterval
        self.fetchWait = fetchWait
        self.issuer = issuer
        self.allowedOrigins = Set(allowedOrigins.filter { $0 != "*" })
        self.anyOrigin = allowedOrigins.contains("*")
        self.logger = logger
    }

    /// The token's claims when its signature, issuer, time window and `azp` are valid.
    func verify(_ token: String, now: Double = UnixTime.now()) async throws(AuthenticationFailure) -> ClerkClaims {
        // Read before verification only to choose the key (`kid`), never to trust the caller.
        guard let header = try? DefaultJWTParser().parse(Array(token.utf8), as: ClerkClaims.self).header,
            header.alg == "RS256"
        else {
            throw .invalidToken
        }
        if case .pem(let key) = source, !pemLoaded {
            await keys.add(rsa: key, digestAlgorithm: .sha256)
            pemLoaded = true
        }
        if case .jwks(let source) = source {
            guard let keyID = header.kid, !keyID.isEmpty, keyID.utf8.count <= 256 else { throw .invalidToken }
            if !knownKeyIDs.contains(keyID) {
                let outcome = await refresh(from: source)
                if !knownKeyIDs.contains(keyID) {
                    // Refused as invalid only when the keys are known to be current.
                    switch outcome {
                    case .fetched: throw .invalidToken
                    case .throttled where jwksLoaded && !lastAttemptFailed: throw .invalidToken
                    case .failed, .throttled: throw .keysUnavailable(retryAfterSeconds: retryAfterSeconds())
                    }
                }
            }
        }
        let claims: ClerkClaims
        do {
            claims = try await keys.verify(token, as: ClerkClaims.self)
        } catch {
            throw .invalidToken
        }
        if let issuer, claims.iss != issuer { throw .invalidToken }
        if let exp = claims.exp, now > exp + Self.leeway { throw .expired }
        if claims.exp == nil { throw .invalidToken }
        if let nbf = claims.nbf, now + Self.leeway < nbf { throw .invalidToken }
        if let azp = claims.azp, !azp.isEmpty, !anyOrigin, !allowedOrigins.contains(azp) {
            throw .invalidToken
        }
        return claims
    }

    /// Joins the fetch in flight or starts one (unless throttled), and waits for it at most
    /// `fetchWait`; a fetch that outlasts the wait goes on and serves later requests.
    private func refresh(from source: any JWKSSource) async -> FetchOutcome {
        let task: Task<Bool, Never>
        if let inFlight {
            task = inFlight
        } else {
            let now = ContinuousClock.now
            let interval = jwksLoaded ? refreshInterval : retryInterval
            if let lastAttempt, now - lastAttempt < interval { return .throttled }
            lastAttempt = now
            task = Task { await self.fetch(from: source) }
            inFlight = task
        }
        do {
            return try await withDeadline(fetchWait, whenLate: .leaveRunning) { await task.value } ? .fetched : .failed
        } catch {
            return .failed
        }
    }

    private func fetch(from source: any JWKSSource) async -> Bool {
        defer { inFlight = nil }
        do {
            let json = try await source.fetchJWKS()
            let jwks = try JSONDecoder().decode(JWKS.self, from: Data(json.utf8))
            let fresh = JWTKeyCollection()
            try await fresh.add(jwks: jwks)
            keys = fresh
            knownKeyIDs = Set(jwks.keys.compactMap { $0.keyIdentifier?.string })
            jwksLoaded = true
            lastAttemptFailed = false
            return true
        } catch {
            lastAttemptFailed = true
            logger.warning(
                "clerk jwks fetch failed", metadata: ["error": .string(String(reflecting: type(of: error)))])
            return false
        }
    }

    /// Seconds until the next fetch may start (at least 1).
    private func retryAfterSeconds() -> Int {
        guard let lastAttempt else { return 1 }
        let interval = jwksLoaded ? refreshInterval : retryInterval
        let remaining = interval - (ContinuousClock.now - lastAttempt)
        let (seconds, attoseconds) = remaining.components
        return max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }
}

/// Why a session token was refused: 401, except `keysUnavailable` (503 with `Retry-After`).
enum AuthenticationFailure: Error, Sendable {
    case missingToken
    case invalidToken
    case expired
    /// The signing keys could not be fetched; the token may well be valid.
    case keysUnavailable(retryAfterSeconds: Int)
}
