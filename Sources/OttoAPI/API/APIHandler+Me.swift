import OttoCalls

/// `GET /v1/me`: the caller's user id, organisation and tenant, so a client (and the smoke
/// checks) can test authentication alone.
extension APIHandler {
    func me(_ input: Operations.Me.Input) async throws -> Operations.Me.Output {
        guard let identity = try context.identity else {
            throw SessionVerificationMiddleware.unauthorized("A Clerk session token is required.")
        }
        return .ok(
            .init(
                body: .json(
                    .init(userId: identity.userID, orgId: identity.organisationID, tenantId: identity.tenantID))))
    }
}
