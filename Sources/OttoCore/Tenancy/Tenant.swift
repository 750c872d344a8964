/// A customer: Otto's tenant id and the Clerk organisation it belongs to.
public struct Tenant: Sendable, Equatable {
    public var id: String
    public var clerkOrgID: String
    public var name: String

    public init(id: String, clerkOrgID: String, name: String) {
        self.id = id
        self.clerkOrgID = clerkOrgID
        self.name = name
    }
}
