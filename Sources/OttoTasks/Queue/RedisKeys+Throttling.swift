/// The keys of shared outbound limits and of per-tenant fair admission.
///
/// An outbound limit's keys share the hash tag `{outbound:<name>}` and a queue's admission keys
/// share the queue's tag `{<queue>}` (with its stream, delayed set and de-duplication keys), so
/// each script touches one Redis Cluster slot.
extension RedisKeys {
    /// Sorted set of an outbound limit's permits in use: permit id → lease expiry (unix ms).
    public func outboundLeases(_ name: String) -> String { "\(prefix){outbound:\(name)}:leases" }
    /// Sorted set of an outbound limit's recent starts: permit id → start (unix ms), kept for one window.
    public func outboundStarts(_ name: String) -> String { "\(prefix){outbound:\(name)}:starts" }
    /// An outbound limit's pause: the unix ms until which every call defers (with a TTL).
    public func outboundPause(_ name: String) -> String { "\(prefix){outbound:\(name)}:pause" }

    /// Sorted set of a tenant's admitted workflows on a queue: holder → lease expiry (unix ms).
    public func admissionActive(queue: String, tenant: String) -> String {
        "\(prefix){\(queue)}:admission:active:\(tenant)"
    }
    /// List of a tenant's waiting holders on a queue, oldest first.
    public func admissionBacklog(queue: String, tenant: String) -> String {
        "\(prefix){\(queue)}:admission:backlog:\(tenant)"
    }
    /// Hash of a tenant's waiting holders → "submitted ms|due ms|envelope".
    public func admissionEntries(queue: String, tenant: String) -> String {
        "\(prefix){\(queue)}:admission:entries:\(tenant)"
    }
    /// Set of the tenants with a non-empty backlog on a queue (what rebalancing visits).
    public func admissionWaiting(queue: String) -> String { "\(prefix){\(queue)}:admission:waiting" }
    /// Set of the tenants with admitted or waiting workflows on a queue (what a snapshot lists).
    public func admissionTenants(queue: String) -> String { "\(prefix){\(queue)}:admission:tenants" }
}
