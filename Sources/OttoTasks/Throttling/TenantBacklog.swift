/// One tenant's share of a queue's fair admission, for operators and tests.
public struct TenantBacklog: Sendable, Equatable, Codable {
    /// The tenant id ("_" for workflows without a tenant).
    public var tenant: String
    /// Workflows admitted (holding a live lease).
    public var active: Int
    /// Workflows waiting for a slot.
    public var waiting: Int
    /// Unix seconds at which the oldest waiting workflow was submitted; nil when none waits.
    public var oldestWaitingAt: Double?

    public init(tenant: String, active: Int, waiting: Int, oldestWaitingAt: Double?) {
        self.tenant = tenant
        self.active = active
        self.waiting = waiting
        self.oldestWaitingAt = oldestWaitingAt
    }

    enum CodingKeys: String, CodingKey {
        case tenant, active, waiting
        case oldestWaitingAt = "oldest_waiting_at"
    }
}
