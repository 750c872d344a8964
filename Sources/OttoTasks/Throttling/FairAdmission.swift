import OttoRedis
import OttoSupport

/// Per-tenant fair admission of workflows to one queue: each tenant holds at most
/// `perTenantLimit` workflows in the stream at a time, and the rest wait in the tenant's own
/// backlog, oldest first. A tenant's backlog of thousands therefore sits beside the stream, not
/// in it, and another tenant's single call goes to the stream at once.
///
/// A slot is a lease (`leaseTTL`, renewed by ``advance(_:tenant:holder:)`` and
/// ``renew(tenant:holder:)``): a workflow whose worker was killed and never released frees its
/// slot when the lease expires, and ``rebalance()`` (run by ``FairAdmissionService``) admits
/// the next waiting workflow. Every operation is one Lua script, so workers racing on one
/// tenant never admit more than its limit.
public struct FairAdmission: WorkflowAdmission {
    /// What a submission did.
    public enum Placement: String, Sendable, Equatable {
        /// In the stream (or the delayed set), holding one of the tenant's slots.
        case admitted
        /// In the tenant's backlog until a slot frees.
        case waiting
        /// Its de-duplication key was seen within a day: nothing was added.
        case duplicate
    }

    /// How long a de-duplication key is remembered (a day, in seconds).
    public static let dedupWindow = 86_400
    /// The tenant of workflows without one.
    public static let noTenant = "_"

    public let redis: RedisClient
    public let keys: RedisKeys
    public let queue: String
    public let perTenantLimit: Int
    public let leaseTTL: Duration

    public init(
        redis: RedisClient, keys: RedisKeys, queue: String, perTenantLimit: Int, leaseTTL: Duration = .seconds(1800)
    ) {
        self.redis = redis
        self.keys = keys
        self.queue = queue
        self.perTenantLimit = max(1, perTenantLimit)
        self.leaseTTL = leaseTTL
    }

    public func submit(_ envelope: TaskEnvelope, tenant: String, holder: String) async throws {
        _ = try await place(envelope, tenant: tenant, holder: holder)
    }

    /// ``submit(_:tenant:holder:)``, telling where the envelope went.
    @discardableResult
    public func place(_ envelope: TaskEnvelope, tenant: String, holder: String) async throws -> Placement {
        let tenant = Self.tenant(tenant)
        let reply = try await redis.eval(
            FairAdmissionScripts.submit, keys: tenantKeys(tenant) + [dedupKey(envelope)],
            arguments: try common(tenant, holder) + envelopeArguments(envelope))
        return Placement(rawValue: reply.string ?? "") ?? .waiting
    }

    public func advance(_ envelope: TaskEnvelope, tenant: String, holder: String) async throws {
        let tenant = Self.tenant(tenant)
        _ = try await redis.eval(
            FairAdmissionScripts.advance, keys: tenantKeys(tenant) + [dedupKey(envelope)],
            arguments: try common(tenant, holder) + envelopeArguments(envelope))
    }

    public func release(tenant: String, holder: String) async throws {
        let tenant = Self.tenant(tenant)
        _ = try await redis.eval(
            FairAdmissionScripts.release, keys: tenantKeys(tenant), arguments: common(tenant, holder))
    }

    /// Renews an admitted workflow's lease (a long step, between its advances); a holder not
    /// admitted is left alone.
    public func renew(tenant: String, holder: String) async throws {
        _ = try await redis.eval(
            FairAdmissionScripts.renew, keys: [keys.admissionActive(queue: queue, tenant: Self.tenant(tenant))],
            arguments: [holder, String(max(1, leaseTTL.inMilliseconds))])
    }

    /// Admits waiting workflows of tenants whose slots freed by expired leases (a killed worker that
    /// never released); returns how many. Run every few seconds by FairAdmissionService.
    public func rebalance() async throws -> Int {
        let tenants = try await redis.send(["SMEMBERS", keys.admissionWaiting(queue: queue)]).array ?? []
        var admitted = 0
        for tenant in tenants.compactMap(\.string) {
            let reply = try await redis.eval(
                FairAdmissionScripts.release, keys: tenantKeys(tenant), arguments: common(tenant, ""))
            admitted += reply.int ?? 0
        }
        return admitted
    }

    /// Whether `holder` holds a slot (an unexpired lease) or waits in its tenant's backlog: a
    /// workflow the sweep must leave alone, however long ago its journal last moved.
    public func tracks(tenant: String, holder: String) async throws -> Bool {
        let replies = try await redis.pipeline([
            ["ZSCORE", keys.admissionActive(queue: queue, tenant: tenant), holder],
            ["HEXISTS", keys.admissionEntries(queue: queue, tenant: tenant), holder],
            ["TIME"],
        ])
        guard replies.count == 3 else { return false }
        let seconds = Double(replies[2].array?.first?.string ?? "") ?? 0
        if let lease = replies[0].string.flatMap(Double.init), lease > seconds * 1000 { return true }
        return replies[1].int == 1
    }

    /// Each tenant with admitted or waiting workflows, by tenant id.
    public func snapshot() async throws -> [TenantBacklog] {
        let tenants = try await redis.send(["SMEMBERS", keys.admissionTenants(queue: queue)]).array ?? []
        var result: [TenantBacklog] = []
        for tenant in tenants.compactMap(\.string).sorted() {
            let reply = try await redis.eval(
                FairAdmissionScripts.backlog, keys: Array(tenantKeys(tenant).prefix(3)), arguments: [])
            let parts = reply.array ?? []
            guard parts.count == 3 else { continue }
            let active = parts[0].int ?? 0
            let waiting = parts[1].int ?? 0
            guard active > 0 || waiting > 0 else { continue }
            let oldest = parts[2].int ?? 0
            result.append(
                TenantBacklog(
                    tenant: tenant, active: active, waiting: waiting,
                    oldestWaitingAt: oldest > 0 ? Double(oldest) / 1000 : nil))
        }
        return result
    }

    // MARK: Script arguments

    static func tenant(_ tenant: String) -> String { tenant.isEmpty ? noTenant : tenant }

    private func tenantKeys(_ tenant: String) -> [String] {
        [
            keys.admissionActive(queue: queue, tenant: tenant), keys.admissionBacklog(queue: queue, tenant: tenant),
            keys.admissionEntries(queue: queue, tenant: tenant), keys.admissionWaiting(queue: queue),
            keys.admissionTenants(queue: queue), keys.stream(queue), keys.delayed(queue),
        ]
    }

    private func dedupKey(_ envelope: TaskEnvelope) -> String {
        keys.dedup(queue: queue, envelope.dedupKey ?? "none")
    }

    private func common(_ tenant: String, _ holder: String) -> [String] {
        [tenant, holder, String(perTenantLimit), String(max(1, leaseTTL.inMilliseconds))]
    }

    private func envelopeArguments(_ envelope: TaskEnvelope) throws -> [String] {
        guard envelope.queue == queue else { throw TaskError(.invalidQueue, detail: envelope.queue) }
        // Delayed by the queue's own rule (due after its enqueue time), never by comparing the
        // producer's rounded clock with Redis': a task due now must not land in the delayed set.
        let delayed = envelope.dueAt > envelope.enqueuedAt + 0.001
        return [
            try envelope.encoded(), delayed ? String(Int64((envelope.dueAt * 1000).rounded())) : "0",
            envelope.dedupKey == nil ? "" : String(Self.dedupWindow), envelope.id,
        ]
    }
}
