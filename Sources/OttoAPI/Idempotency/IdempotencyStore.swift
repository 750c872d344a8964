import OttoCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Idempotency records in PostgreSQL, always inside the tenant's transaction, so row-level
/// security keeps every tenant's keys apart.
struct IdempotencyStore: Sendable {
    let pool: PostgresPool
    /// How long a key is honoured (and its response kept): 24 hours.
    static let retentionSeconds = 24 * 3600

    /// What the first look at a key found.
    enum Claim: Sendable {
        /// The key is new (or expired): this request owns it and must run.
        case acquired
        /// Another request with the same key is still running.
        case inProgress(fingerprint: String)
        /// The key completed earlier.
        case completed(fingerprint: String, response: StoredResponse)
    }

    /// Records `key` as in progress, or reports what an earlier request left.
    ///
    /// Concurrent first requests serialise on the primary key: one inserts, the others wait
    /// for its transaction and then see its row.
    func claim(tenantID: String, key: String, fingerprint: String) async throws -> Claim {
        try await TenantScope.transaction(pool, tenantID: tenantID) { connection in
            let inserted = try connection.query(
                """
                INSERT INTO idempotency_keys (tenant_id, key, fingerprint, state, expires_at)
                VALUES ($1::uuid, $2, $3, 'in_progress', now() + make_interval(secs => $4::int))
                ON CONFLICT (tenant_id, key) DO UPDATE
                    SET fingerprint = EXCLUDED.fingerprint, state = 'in_progress', status = NULL,
                        headers = NULL, body = NULL, created_at = now(), expires_at = EXCLUDED.expires_at
                    WHERE idempotency_keys.expires_at < now()
                RETURNING key
                """, [tenantID, key, fingerprint, Self.retentionSeconds])
            if !inserted.isEmpty { return .acquired }
            let rows = try connection.query(
                """
                SELECT fingerprint, state, status, headers::text AS headers, encode(body, 'hex') AS body
                FROM idempotency_keys WHERE key = $1
                """, [key])
            guard let row = rows.first, let storedFingerprint = row["fingerprint"] else { return .acquired }
            guard row["state"] == "completed", let status = row["status"].flatMap({ Int($0) }) else {
                return .inProgress(fingerprint: storedFingerprint)
            }
            let headers =
                row["headers"].flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) }
                ?? [:]
            let body = row["body"].map(Self.bytes(hex:)) ?? []
            return .completed(
                fingerprint: storedFingerprint, response: StoredResponse(status: status, headers: headers, body: body))
        }
    }

    /// Stores the response of the request that owns `key`.
    func complete(tenantID: String, key: String, response: StoredResponse) async throws {
        let headers = String(decoding: try JSONEncoder().encode(response.headers), as: UTF8.self)
        let body = "\\x" + Self.hex(response.body)
        _ = try await TenantScope.transaction(pool, tenantID: tenantID) { connection in
            try connection.query(
                """
                UPDATE idempotency_keys SET state = 'completed', status = $2, headers = $3::jsonb, body = $4::bytea
                WHERE key = $1
                """, [key, response.status, headers, body])
        }
    }

    /// Forgets `key` after its request failed without a response, so the client may retry.
    func release(tenantID: String, key: String) async throws {
        _ = try await TenantScope.transaction(pool, tenantID: tenantID) { connection in
            try connection.query("DELETE FROM idempotency_keys WHERE key = $1 AND state = 'in_progress'", [key])
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
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
