import HTTPTypes
import Hummingbird
import OttoCalls
import OttoSupport
import OttoTasks

/// Verifies the Clerk session token of a `/v1` request (signature, issuer, time, `azp`; no
/// database work) and records the outcome in the context, without refusing yet: the rate
/// limit comes next, so it can charge a verified request to its tenant and a failed one to the
/// client's address; `TenantResolutionMiddleware` then refuses the failed ones.
///
/// Refusals: a missing, invalid or expired token is 401 with `WWW-Authenticate: Bearer`; keys
/// that cannot be fetched are 503 with `Retry-After` (the token may be valid, and a 401 would
/// sign the user out); no verifier configured is 503.
///
/// A token verified in the last few seconds is answered from `cache` (``VerifiedTokenCache``)
/// without RS256 or the verifier's actor.
struct SessionVerificationMiddleware: RouterMiddleware {
    typealias Context = OttoRequestContext
    let verifier: ClerkTokenVerifier?
    let cache: VerifiedTokenCache

    init(verifier: ClerkTokenVerifier?, cache: VerifiedTokenCache = VerifiedTokenCache()) {
        self.verifier = verifier
        self.cache = cache
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.credentials = await check(request)
        return try await next(request, context)
    }

    func check(_ request: Request) async -> CredentialCheck {
        guard let verifier else {
            return .refused(Problem(.serviceUnavailable, detail: "Authentication is not configured on this instance."))
        }
        guard let token = SessionToken.find(in: request) else {
            return .refused(
                Self.unauthorized("A Clerk session token is required (Authorization: Bearer or __session)."))
        }
        let key = VerifiedTokenCache.key(token)
        let now = UnixTime.now()
        if let claims = cache.claims(for: key, now: now) { return .verified(claims) }
        do {
            let claims = try await verifier.verify(token, now: now)
            cache.insert(claims, for: key, now: now)
            return .verified(claims)
        } catch .expired {
            return .refused(Self.unauthorized("The session token has expired.", error: "invalid_token"))
        } catch .keysUnavailable(let retryAfter) {
            var headers = HTTPFields()
            headers[.retryAfter] = String(retryAfter)
            return .refused(
                Problem(
                    .serviceUnavailable, title: "Authentication unavailable",
                    detail: "The session signing keys could not be fetched from Clerk; retry shortly.",
                    headers: headers))
        } catch {
            return .refused(Self.unauthorized("The session token is not valid.", error: "invalid_token"))
        }
    }

    static func unauthorized(_ detail: String, error: String? = nil) -> Problem {
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = error.map { "Bearer error=\"\($0)\"" } ?? "Bearer"
        return Problem(.unauthorized, detail: detail, headers: headers)
    }
}
