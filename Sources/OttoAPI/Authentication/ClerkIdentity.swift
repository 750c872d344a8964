import OttoCalls

/// The verified caller of a `/v1` route.
struct ClerkIdentity: Sendable, Equatable {
    var userID: String
    var organisationID: String
    /// Otto's tenant id (UUID) for the organisation.
    var tenantID: String
}
