import HTTPTypes
import Hummingbird

/// How a `/v1` handler learns the authenticated caller's tenant id. The Clerk middleware provides
/// the real resolver; tests use `testHeader`, which `buildRouter` installs only when its
/// `testTenantHeader` argument is true (never from configuration, so never in production).
struct TenantResolver: Sendable {
    let resolve: @Sendable (Request, OttoRequestContext) throws -> String

    /// The tenant that authentication recorded in the request's facts; 401 without one.
    static let authenticated = TenantResolver { _, context in
        guard let tenant = context.facts.tenantID else {
            throw Problem(.unauthorized, detail: "A valid session token is required.")
        }
        return tenant
    }

    /// TEST ONLY: the tenant named by the `X-Test-Tenant` header.
    static let testHeader = TenantResolver { request, context in
        guard let tenant = request.headers[HTTPField.Name("X-Test-Tenant")!], !tenant.isEmpty else {
            throw Problem(.unauthorized, detail: "A valid session token is required.")
        }
        context.facts.tenantID = tenant
        return tenant
    }
}
