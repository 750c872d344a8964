/// One tenant's usage over a range, as the operator's `otto-api tenants usage` reads it.
public struct TenantUsage: Sendable, Hashable {
    public var tenantID: String
    public var name: String
    /// The days with usage, oldest first.
    public var days: [UsageDay]

    public init(tenantID: String, name: String, days: [UsageDay]) {
        self.tenantID = tenantID
        self.name = name
        self.days = days
    }

    public var totals: UsageTotals { UsageTotals(days) }
}
