import OttoPostgres
import OttoSupport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Idempotency records in PostgreSQL, always inside the tenant's transaction, so row-level
/// security keeps every tenant's keys apart.
public struct IdempotencyStore: Sendable {
    let pool: PostgresPool

    /// Keys in `pool`'s `idempotency_keys` table (the migration `idempotencyKeys`).
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// How long a key is honoured (and its response kept): 24 hours.
    public static let retentionSeconds = 24 * 3600
    /// How long an in-progress key is held for its request without a renewal: 60 seconds. The
    /// request renews it every third of that while it runs, so only a request that died (its
    /// process killed, its database connection gone) lets the lease lapse; a retry of the same
    /// request may then run it.
    public static let leaseSeconds = 60

    /// What the first look at a key found.
    public enum Claim: Sendable {
        /// The key is new, expired, or its first request died (lease lapsed): this request owns
        /// it under `lease` and must run.
        case acquired(lease: String)
        /// Another request with the same key is still running.
        case inProgress(fingerprint: String)
        /// The key completed earlier.
        case completed(fingerprint: String, response: StoredResponse)
    }

    /// Records `key` as in progress under a new lease, or reports what an earlier request left.
    ///
    /// One round trip: the claim and, when it did not acquire the key, the row it found are one
    /// statement, pipelined with the tenant's transaction (``TenantScope/statement(_:tenantID:_:_:)``).
    /// Concurrent first requests serialise on the primary key: one inserts, the others wait for
    /// its transaction; the row it committed is not in their statement's snapshot, so they read
    /// it with a second statement (only in that race). A key left in progress by a request that
    /// died is taken over once its lease has lapsed, by the same request only (same
    /// fingerprint); rows from before leases existed count `created_at` plus the lease.
    public func claim(tenantID: String, key: String, fingerprint: String) async throws -> Claim {
        let lease = UUID().uuidString.lowercased()
        return try await pool.withConnection { connection in
            let rows = try TenantScope.statement(
                on: connection, tenantID: tenantID, Self.claimSQL,
                [tenantID, key, fingerprint, Self.retentionSeconds, lease, Self.leaseSeconds])
            if let row = rows.first {
                return try Self.claim(row, lease: lease, fingerprint: fingerprint)
            }
            let raced = try TenantScope.statement(on: connection, tenantID: tenantID, Self.readSQL, [tenantID, key])
            return try raced.first.map { try Self.claim($0, lease: lease, fingerprint: fingerprint) }
                ?? .inProgress(fingerprint: fingerprint)
        }
    }

    static let claimSQL = """
        WITH claimed AS (
            INSERT INTO idempotency_keys (tenant_id, key, fingerprint, state, expires_at, lease_token, lease_expires_at)
            VALUES ($1::uuid, $2, $3, 'in_progress', now() + make_interval(secs => $4::int), $5::uuid,
                    now() + make_interval(secs => $6::int))
            ON CONFLICT (tenant_id, key) DO UPDATE
                SET fingerprint = EXCLUDED.fingerprint, state = 'in_progress', status = NULL,
                    headers = NULL, body = NULL, created_at = now(), expires_at = EXCLUDED.expires_at,
                    lease_token = EXCLUDED.lease_token, lease_expires_at = EXCLUDED.lease_expires_at
                WHERE idempotency_keys.expires_at < now()
                   OR (idempotency_keys.state = 'in_progress'
                       AND idempotency_keys.fingerprint = EXCLUDED.fingerprint
                       AND coalesce(idempotency_keys.lease_expires_at,
                                    idempotency_keys.created_at + make_interval(secs => $6::int)) < now())
            RETURNING key
        )
        SELECT true AS acquired, NULL::text AS fingerprint, NULL::text AS state, NULL::int AS status,
               NULL::text AS headers, NULL::text AS body
        FROM claimed
        UNION ALL
        SELECT false, fingerprint, state, status, headers::text, encode(body, 'hex')
        FROM idempotency_keys
        WHERE tenant_id = $1::uuid AND key = $2 AND NOT EXISTS (SELECT 1 FROM claimed)
        """

    static let readSQL = """
        SELECT false AS acquired, fingerprint, state, status, headers::text AS headers, encode(body, 'hex') AS body
        FROM idempotency_keys WHERE tenant_id = $1::uuid AND key = $2
        """

    /// What a row of `claimSQL` or `readSQL` says.
    static func claim(_ row: PostgresRow, lease: String, fingerprint: String) throws -> Claim {
        if row["acquired"] == "t" { return .acquired(lease: lease) }
        guard let storedFingerprint = row["fingerprint"] else { return .inProgress(fingerprint: fingerprint) }
        guard row["state"] == "completed", let status = row["status"].flatMap({ Int($0) }) else {
            return .inProgress(fingerprint: storedFingerprint)
        }
        let headers =
            row["headers"].flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
        let body = row["body"].map(Self.bytes(hex:)) ?? []
        return .completed(
            fingerprint: storedFingerprint, response: StoredResponse(status: status, headers: headers, body: body))
    }

    /// Stores the response of the request that holds `lease` on `key`; false when the lease was
    /// lost (the request stalled past it and a retry took the key over). One round trip.
    @discardableResult
    public func complete(tenantID: String, key: String, lease: String, response: StoredResponse) async throws -> Bool {
        let headers = String(decoding: try JSONEncoder().encode(response.headers), as: UTF8.self)
        let body = "\\x" + Hex.encode(response.body)
        return try await TenantScope.statement(
            pool, tenantID: tenantID,
            """
            UPDATE idempotency_keys
            SET state = 'completed', status = $2, headers = $3::jsonb, body = $4::bytea, lease_expires_at = NULL
            WHERE key = $1 AND lease_token = $5::uuid AND state = 'in_progress'
            """, [key, response.status, headers, body, lease]
        ).affectedRows == 1
    }

    /// Extends the lease of a request that is still running; false when it was lost.
    @discardableResult
    public func renew(tenantID: String, key: String, lease: String) async throws -> Bool {
        try await TenantScope.statement(
            pool, tenantID: tenantID,
            """
            UPDATE idempotency_keys SET lease_expires_at = now() + make_interval(secs => $3::int)
            WHERE key = $1 AND lease_token = $2::uuid AND state = 'in_progress'
            """, [key, lease, Self.leaseSeconds]
        ).affectedRows == 1
    }

    /// Forgets `key` after its request failed without a response (the handler threw, or writing
    /// the response body failed), so the client may retry at once.
    public func release(tenantID: String, key: String, lease: String) async throws {
        _ = try await TenantScope.statement(
            pool, tenantID: tenantID,
            "DELETE FROM idempotency_keys WHERE key = $1 AND state = 'in_progress' AND lease_token = $2::uuid",
            [key, lease])
    }

    static func bytes(hex: String) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8?
        for byte in hex.utf8 {
            let value: UInt8
            switch byte {
            case 0x30...0x39: value = byte - 0x30
            case 0x61...0x66: value = byte - 0x61 + 10
            default: continue
            }
            if let h = high {
                out.append(h << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        return out
    }
}
