import Logging
import NIOConcurrencyHelpers
import OttoSupport
import OttoTasks
import ServiceLifecycle

/// Every tenant's CallRail credentials in memory, so verifying a webhook costs no database work
/// (DESIGN.md: credentials are verified before anything touches the database, so a forged flood
/// costs no query).
///
/// Loaded before the server starts, refreshed every `refreshInterval` (30 s) while `run()` runs,
/// and reloaded on demand: when a request names a tenant the cache does not know (a tenant
/// created since the last load), and when a signature fails with the cached keys (a key rotated
/// since). On-demand loads are single-flight and start at most once per `minimumInterval`
/// (1 s), and the periodic load skips a turn when a load started within that second, so a
/// flood naming random tenant ids, or forging signatures, costs at most one query a second. A
/// request naming an unknown tenant waits for the next load (at most about a second); one whose
/// signature fails does not wait, it only joins a load that may start now.
///
/// Each load reads the whole `tenants` table (id, company, sealed keys: a few hundred bytes per
/// tenant) and replaces the map in one step.
public final class WebhookCredentialCache: Service, Sendable {
    /// What started a load (the `trigger` of `otto_webhook_credential_loads_total`).
    public enum Trigger: String, Sendable {
        case start, periodic, miss, stale
    }

    /// The answer for one tenant.
    public enum Lookup: Sendable {
        case found(CallRailCredentials)
        /// No such tenant (as of a load that finished after the request asked).
        case unknown
        /// The credentials could not be read (the database is away and nothing is cached).
        case unavailable
    }

    /// A strict environment found tenants whose keys cannot be opened: the API must not serve.
    public struct UnusableKeys: Error, Sendable, CustomStringConvertible {
        public var tenantIDs: [String]
        public var reason: CallRailCredentials.Unavailable
        public var description: String {
            let count = tenantIDs.count == 1 ? "1 tenant has" : "\(tenantIDs.count) tenants have"
            switch reason {
            case .noSecretsKey:
                return "TENANT_SECRETS_KEY is required: \(count) its own CallRail signing key, stored encrypted "
                    + "(tenants: \(tenantIDs.prefix(5).joined(separator: ", ")))"
            case .doesNotOpen:
                return "TENANT_SECRETS_KEY does not open the CallRail signing key that \(count) stored "
                    + "(tenants: \(tenantIDs.prefix(5).joined(separator: ", "))); set the key they were stored with"
            }
        }
    }

    struct State {
        var entries: [String: CallRailCredentials]?
        var inFlight: Task<Void, Never>?
        var lastLoadStart: ContinuousClock.Instant?
        var unusableLogged: Set<String> = []
        var lastFailureLog: ContinuousClock.Instant?
    }

    private let source: @Sendable () async throws -> [SealedCallRailCredentials]
    private let secrets: TenantSecretsKey?
    private let requireUsableKeys: Bool
    private let refreshInterval: Duration
    private let minimumInterval: Duration
    private let logger: Logger
    private let onLoad: @Sendable (Trigger, Bool) -> Void
    private let state = NIOLockedValueBox(State())

    /// `source` reads the stored credentials (``TenantRecords/sealedCallRailCredentials()``);
    /// `requireUsableKeys` (strict environments) makes a first load that finds keys this
    /// process cannot open an error that stops the API; `onLoad` counts loads by trigger and
    /// success.
    public init(
        source: @escaping @Sendable () async throws -> [SealedCallRailCredentials], secrets: TenantSecretsKey?,
        requireUsableKeys: Bool, logger: Logger, refreshInterval: Duration = .seconds(30),
        minimumInterval: Duration = .seconds(1), onLoad: @escaping @Sendable (Trigger, Bool) -> Void = { _, _ in }
    ) {
        self.source = source
        self.secrets = secrets
        self.requireUsableKeys = requireUsableKeys
        self.refreshInterval = refreshInterval
        self.minimumInterval = minimumInterval
        self.logger = logger
        self.onLoad = onLoad
    }

    /// The first load, before the server starts. Throws ``UnusableKeys`` in a strict environment
    /// whose tenants have keys this process cannot open. When the database cannot be read within
    /// `limit` (down, or hanging), returns so the server starts anyway (webhooks that need the
    /// credentials answer 503 meanwhile); `run()` keeps loading and applies the same check to its
    /// first success, which then stops the API.
    public func prepare(within limit: Duration = .seconds(2)) async throws {
        // The load is left to finish on its own past the limit: other callers may be waiting for it.
        _ = try? await withDeadline(limit, whenLate: .leaveRunning) { await self.reload(.start, waitForSlot: false) }
        try checkUsableKeys()
    }

    /// The credentials of `tenantID`; a tenant the cache does not know waits for a reload.
    public func credentials(for tenantID: String) async -> Lookup {
        let id = tenantID.lowercased()
        if let found = state.withLockedValue({ $0.entries?[id] }) { return .found(found) }
        await reload(.miss, waitForSlot: true)
        return state.withLockedValue { state in
            guard let entries = state.entries else { return .unavailable }
            return entries[id].map { .found($0) } ?? .unknown
        }
    }

    /// After a signature failed with the cached keys: reloads if a load may start now (or joins
    /// one under way) and returns the tenant's credentials as they are then.
    public func refreshedAfterFailure(for tenantID: String) async -> CallRailCredentials? {
        await reload(.stale, waitForSlot: false)
        return state.withLockedValue { $0.entries?[tenantID.lowercased()] }
    }

    public func run() async throws {
        // Ends on graceful shutdown and on cancellation (a ServiceGroup cancels its services when
        // one fails): a cancelled sleep returns at once, so a loop that only watched for the
        // graceful shutdown would spin.
        func stopping() -> Bool { Task.isShuttingDownGracefully || Task.isCancelled }
        // Until a first load succeeds (the database was away at start), keep trying, and apply
        // the start-up check to that first success.
        while !stopping(), state.withLockedValue({ $0.entries == nil }) {
            await reload(.start, waitForSlot: false)
            try checkUsableKeys()
            if state.withLockedValue({ $0.entries == nil }) { await sleepUnlessShuttingDown(for: minimumInterval * 2) }
        }
        while !stopping() {
            await sleepUnlessShuttingDown(for: refreshInterval)
            guard !stopping() else { break }
            await reload(.periodic, waitForSlot: false)
        }
    }

    private enum Step {
        case join(Task<Void, Never>)
        case wait(until: ContinuousClock.Instant)
        case skip
    }

    private func reload(_ trigger: Trigger, waitForSlot: Bool) async {
        while true {
            let step = state.withLockedValue { state -> Step in
                if let inFlight = state.inFlight { return .join(inFlight) }
                let now = ContinuousClock.now
                if let last = state.lastLoadStart, now < last + minimumInterval {
                    return waitForSlot ? .wait(until: last + minimumInterval) : .skip
                }
                state.lastLoadStart = now
                // Unstructured so that a cancelled request cannot cancel the load others wait for.
                let task = Task { await self.load(trigger) }
                state.inFlight = task
                return .join(task)
            }
            switch step {
            case .join(let task):
                await task.value
                return
            case .skip:
                return
            case .wait(let deadline):
                try? await Task.sleep(until: deadline, clock: .continuous)
            }
        }
    }

    /// One load; clears `inFlight` when it ends (the lock orders this after the caller set it).
    private func load(_ trigger: Trigger) async {
        defer { state.withLockedValue { $0.inFlight = nil } }
        do {
            let rows = try await source()
            var entries: [String: CallRailCredentials] = [:]
            for row in rows {
                let credentials = CallRailCredentials(row, secrets: secrets)
                entries[row.tenantID.lowercased()] = credentials
            }
            let unusable = Set(entries.values.filter { $0.unavailableKey != nil }.map(\.tenantID))
            let newlyUnusable = state.withLockedValue { state -> Set<String> in
                state.entries = entries
                let new = unusable.subtracting(state.unusableLogged)
                state.unusableLogged = unusable
                return new
            }
            onLoad(trigger, true)
            if !newlyUnusable.isEmpty {
                logger.error(
                    "tenants' CallRail signing keys cannot be opened; their CallRail webhooks answer 503",
                    metadata: [
                        "tenants": "\(newlyUnusable.count)",
                        "tenant_ids": "\(newlyUnusable.sorted().prefix(5).joined(separator: ","))",
                    ])
            }
        } catch {
            onLoad(trigger, false)
            // While the database is away every load fails: one warning a minute is enough.
            let now = ContinuousClock.now
            let shouldLog = state.withLockedValue { state -> Bool in
                if let last = state.lastFailureLog, now - last < .seconds(60) { return false }
                state.lastFailureLog = now
                return true
            }
            guard shouldLog else { return }
            logger.warning(
                "webhook credentials could not be loaded; CallRail webhooks of tenants not yet loaded answer 503",
                metadata: ["trigger": "\(trigger.rawValue)", "error": "\(error)"])
        }
    }

    private func checkUsableKeys() throws(UnusableKeys) {
        guard requireUsableKeys else { return }
        let entries = state.withLockedValue { $0.entries } ?? [:]
        var byReason: [CallRailCredentials.Unavailable: [String]] = [:]
        for credentials in entries.values {
            if let reason = credentials.unavailableKey { byReason[reason, default: []].append(credentials.tenantID) }
        }
        for reason in [CallRailCredentials.Unavailable.noSecretsKey, .doesNotOpen] {
            if let ids = byReason[reason] { throw UnusableKeys(tenantIDs: ids.sorted(), reason: reason) }
        }
    }
}
