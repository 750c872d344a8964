import OttoSupport

/// A change to a tenant's CallRail binding, as `otto-api tenants create|update` asks for it.
/// Every field left nil (or false) leaves that part of the binding as it is.
public struct TenantCallRailChange: Sendable {
    /// Binds the tenant to this CallRail company (CallRail's company id, compared as text with
    /// the `company_resource_id` or `company_id` its payloads carry).
    public var companyID: String?
    /// The company's new signing key (read from a file by the command, never from argv).
    public var signingKey: Secret?
    /// Seconds the previous key stays valid after a rotation; with no new key, the new end of a
    /// rotation under way (0 ends it now).
    public var previousKeyValidFor: Int?
    /// Removes the current and previous keys (the tenant then falls back to
    /// `CALLRAIL_SIGNING_KEY` and its company).
    public var clearSigningKey: Bool

    /// How long a replaced key stays valid when the operator does not say: a day, long enough
    /// for CallRail's retries of deliveries signed before the rotation.
    public static let defaultPreviousKeyWindow = 86_400

    public init(
        companyID: String? = nil, signingKey: Secret? = nil, previousKeyValidFor: Int? = nil,
        clearSigningKey: Bool = false
    ) {
        self.companyID = companyID
        self.signingKey = signingKey
        self.previousKeyValidFor = previousKeyValidFor
        self.clearSigningKey = clearSigningKey
    }
}
