import OttoTasks

/// A workflow's status with the tenant it belongs to: what an operator reads across tenants
/// (`otto-worker workflow status call_analysis --subject CALL_ID`).
public struct TenantWorkflowStatus: Sendable, Equatable, Encodable {
    public var tenantID: String
    public var status: WorkflowStatus

    public init(tenantID: String, status: WorkflowStatus) {
        self.tenantID = tenantID
        self.status = status
    }

    /// The status's own fields with `tenant_id` beside them.
    public func encode(to encoder: any Encoder) throws {
        try status.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tenantID, forKey: .tenantID)
    }

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id"
    }
}
