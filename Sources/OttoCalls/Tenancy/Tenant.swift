/// A customer: Otto's tenant id and the Clerk organisation it belongs to.
public struct Tenant: Sendable, Equatable {
    public var id: String
    public var clerkOrgID: String
    public var name: String
    /// The CallRail company whose webhooks this tenant receives, when bound.
    public var callRailCompanyID: String?
    /// Whether the tenant holds its CallRail company's signing key (stored encrypted; the key
    /// itself is never read back into this type).
    public var hasCallRailSigningKey: Bool
    /// During a key rotation: the unix time until which the previous key is still accepted.
    public var callRailPreviousKeyValidUntil: Double?

    public init(
        id: String, clerkOrgID: String, name: String, callRailCompanyID: String? = nil,
        hasCallRailSigningKey: Bool = false, callRailPreviousKeyValidUntil: Double? = nil
    ) {
        self.id = id
        self.clerkOrgID = clerkOrgID
        self.name = name
        self.callRailCompanyID = callRailCompanyID
        self.hasCallRailSigningKey = hasCallRailSigningKey
        self.callRailPreviousKeyValidUntil = callRailPreviousKeyValidUntil
    }
}
