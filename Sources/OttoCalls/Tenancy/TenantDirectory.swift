import NIOConcurrencyHelpers
import OttoPostgres

/// Maps a Clerk organisation to Otto's tenant id, creating the tenant on first sight.
///
/// The row is the same one `otto-api tenants create` writes, so a tenant created by an operator
/// and one created by a token's first use are one and the same. Creation is race-safe: two
/// first requests of a new organisation insert with `ON CONFLICT DO NOTHING` and both read the
/// one surviving row. Answers are cached in memory (a tenant's id never changes).
public final class TenantDirectory: Sendable {
    private let pool: PostgresPool
    private let cache = NIOLockedValueBox<[String: String]>([:])
    private let cacheLimit: Int

    /// `cacheLimit` bounds the memory the cache can take; past it the cache starts over.
    public init(pool: PostgresPool, cacheLimit: Int = 10_000) {
        self.pool = pool
        self.cacheLimit = cacheLimit
    }

    /// The tenant id (a UUID string) of `clerkOrgID`, creating the tenant when it is new.
    public func tenantID(forClerkOrg clerkOrgID: String) async throws -> String {
        if let cached = cache.withLockedValue({ $0[clerkOrgID] }) { return cached }
        let id = try await pool.withConnection { connection -> String in
            let inserted = try connection.query(
                """
                INSERT INTO tenants (clerk_org_id, name) VALUES ($1, $1)
                ON CONFLICT (clerk_org_id) DO NOTHING RETURNING id::text
                """, [clerkOrgID])
            if let row = inserted.first, let id = row["id"] { return id }
            let existing = try connection.query("SELECT id::text FROM tenants WHERE clerk_org_id = $1", [clerkOrgID])
            guard let row = existing.first, let id = row["id"] else {
                throw PostgresError(code: .decoding, reason: "tenant row missing after insert")
            }
            return id
        }
        cache.withLockedValue { cache in
            if cache.count >= cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[clerkOrgID] = id
        }
        return id
    }
}
