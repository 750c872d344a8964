/// One tenant's CallRail binding as the database holds it: the keys still encrypted.
public struct SealedCallRailCredentials: Sendable, Equatable {
    public var tenantID: String
    public var companyID: String?
    public var signingKey: [UInt8]?
    public var previousSigningKey: [UInt8]?
    /// Unix time until which the previous key is accepted.
    public var previousValidUntil: Double?

    public init(
        tenantID: String, companyID: String?, signingKey: [UInt8]?, previousSigningKey: [UInt8]?,
        previousValidUntil: Double?
    ) {
        self.tenantID = tenantID
        self.companyID = companyID
        self.signingKey = signingKey
        self.previousSigningKey = previousSigningKey
        self.previousValidUntil = previousValidUntil
    }
}
