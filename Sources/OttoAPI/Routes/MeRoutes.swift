import Hummingbird

/// `GET /v1/me`: the caller's user id, organisation and tenant, so a client (and the smoke
/// checks) can test authentication alone.
struct MeRoutes {
    func register(on group: RouterGroup<OttoRequestContext>, table: inout RouteTable) {
        group.get("/me") { _, context in
            guard let identity = context.identity else {
                throw AuthenticationMiddleware.unauthorized("A Clerk session token is required.")
            }
            let text =
                "{\"user_id\":\(JSONString.quote(identity.userID)),\"org_id\":\(JSONString.quote(identity.organisationID)),"
                + "\"tenant_id\":\(JSONString.quote(identity.tenantID))}"
            return HealthRoutes.json(text, status: .ok)
        }
        table.add(.get, "/v1/me")
    }
}
