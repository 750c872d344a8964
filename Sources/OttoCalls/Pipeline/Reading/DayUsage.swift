/// One UTC day of the usage ledger across tenants, for operators (the dashboard's usage panel):
/// the tenants that used the most audio that day, and the sums over every tenant with usage.
public struct DayUsage: Sendable, Hashable, Encodable {
    /// One tenant's usage of the day.
    public struct Tenant: Sendable, Hashable, Encodable {
        public var tenantID: String
        public var name: String
        public var usage: UsageDay

        enum CodingKeys: String, CodingKey {
            case tenantID = "tenant_id"
            case name, usage
        }
    }

    /// `YYYY-MM-DD`.
    public var day: String
    /// Every tenant with usage that day, of which `tenants` lists the first ones.
    public var tenantsWithUsage: Int
    /// The sums over every tenant with usage that day (not only those listed).
    public var totals: UsageTotals
    /// The tenants with the most audio seconds first (then by name).
    public var tenants: [Tenant]

    enum CodingKeys: String, CodingKey {
        case day
        case tenantsWithUsage = "tenants_with_usage"
        case totals, tenants
    }
}
