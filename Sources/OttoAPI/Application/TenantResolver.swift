import HTTPTypes
import Hummingbird

/// How a `/v1` handler learns the authenticated caller's tenant id: the one the session
/// verification and tenant resolution middleware recorded (tests send real session tokens).
struct TenantResolver: Sendable {
    let resolve: @Sendable (Request, OttoRequestContext) throws -> String

    /// The tenant that authentication recorded in the request's facts; 401 without one.
    static let authenticated = TenantResolver { _, context in
        guard let tenant = context.facts.tenantID else {
            throw Problem(.unauthorized, detail: "A valid session token is required.")
        }
        return tenant
    }
}
