import Hummingbird
import OttoCore

/// `GET /v1/me`: the caller's user id, organisation and tenant, so a client (and the smoke
/// checks) can test authentication alone.
struct MeRoutes {
    func register(on group: RouterGroup<OttoRequestContext>, table: inout RouteTable) {
        group.get("/me") { _, context in
            guard let identity = context.identity else {
                throw SessionVerificationMiddleware.unauthorized("A Clerk session token is required.")
            }
            let text =
                "{\"user_id\":\(JSONText.quoted(identity.userID)),\"org_id\":\(JSONText.quoted(identity.organisationID)),"
                + "\"tenant_id\":\(JSONText.quoted(identity.tenantID))}"
            return HealthRoutes.json(text, status: .ok)
        }
        table.add(.get, "/v1/me")
    }
}
