import HTTPTypes
import Hummingbird
import Logging
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks

/// Refuses a `/v1` request whose credentials failed (the refusal `SessionVerificationMiddleware`
/// recorded) and resolves the verified caller's tenant (database), after the rate limit.
///
/// A valid token without an active organisation gets 403. The tenant is created on the
/// organisation's first use (`TenantDirectory`).
struct TenantResolutionMiddleware: RouterMiddleware {
    typealias Context = OttoRequestContext
    let tenants: TenantDirectory?

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let claims: ClerkClaims
        switch context.credentials {
        case .verified(let verified): claims = verified
        case .refused(let problem): throw problem
        case nil: throw SessionVerificationMiddleware.unauthorized("A Clerk session token is required.")
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
}
