import HTTPTypes
import Hummingbird
import OttoCore

/// Requires a valid Clerk session token on `/v1/*` and resolves the caller's tenant.
///
/// Invalid, expired or missing tokens get 401 with `WWW-Authenticate: Bearer`; a valid token
/// without an active organisation gets 403. The tenant is created on the organisation's first
/// use (`TenantDirectory`).
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = OttoRequestContext
    let verifier: ClerkTokenVerifier?
    let tenants: TenantDirectory?

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let verifier else {
            throw Problem(.serviceUnavailable, detail: "Authentication is not configured on this instance.")
        }
        guard let token = SessionToken.find(in: request) else {
            throw Self.unauthorized("A Clerk session token is required (Authorization: Bearer or __session).")
        }
        let claims: ClerkClaims
        do {
            claims = try await verifier.verify(token)
        } catch .expired {
            throw Self.unauthorized("The session token has expired.", error: "invalid_token")
        } catch {
            throw Self.unauthorized("The session token is not valid.", error: "invalid_token")
        }
        guard let organisation = claims.organisationID else {
            throw Problem(
                .forbidden, title: "No active organisation",
                detail: "The session has no active organisation; select one in the client and retry.")
        }
        guard let tenants else {
            throw Problem(.serviceUnavailable, detail: "The tenant directory needs a database.")
        }
        let tenantID: String
        do {
            tenantID = try await tenants.tenantID(forClerkOrg: organisation)
        } catch {
            context.logger.error("tenant lookup failed", metadata: ["error": .string("\(error)")])
            throw Problem(.serviceUnavailable, detail: "The tenant could not be resolved; retry shortly.")
        }
        var context = context
        context.identity = ClerkIdentity(userID: claims.sub, organisationID: organisation, tenantID: tenantID)
        context.facts.tenantID = tenantID
        context.logger[metadataKey: "tenant_id"] = .string(tenantID)
        return try await next(request, context)
    }

    static func unauthorized(_ detail: String, error: String? = nil) -> Problem {
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = error.map { "Bearer error=\"\($0)\"" } ?? "Bearer"
        return Problem(.unauthorized, detail: detail, headers: headers)
    }
}
