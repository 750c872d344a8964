import OttoPostgres
import OttoSupport

/// The `tenants` rows as the operator's `tenants create` / `update` / `list` commands see them
/// (with names and CallRail bindings). Authentication maps organisations to tenant ids through
/// its own cached lookup; both write the same table, so a tenant is the same whichever created
/// it.
public struct TenantRecords: Sendable {
    let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// The columns `tenant(_:)` reads; the keys themselves are never selected here.
    static let columns = """
        id, clerk_org_id, name, callrail_company_id, callrail_signing_key IS NOT NULL AS has_key,
        extract(epoch FROM callrail_previous_key_valid_until)::float8 AS previous_valid_until
        """

    /// The tenant of `clerkOrgID`, created with `name` on first sight; a repeat returns the
    /// existing tenant unchanged (same id), so the command is safe to run twice.
    public func create(clerkOrgID: String, name: String) async throws -> Tenant {
        try await create(clerkOrgID: clerkOrgID, name: name, callRail: TenantCallRailChange(), secrets: nil)
    }

    /// Creates the tenant of `clerkOrgID` with its CallRail binding, in one transaction.
    ///
    /// A repeat for an existing tenant returns it unchanged when the binding asked for is the one
    /// it has (same company; same key, which needs `secrets` to compare); a different binding
    /// throws ``TenantRecordsError/Code/alreadyExists``: changing a tenant is `update`'s job.
    public func create(
        clerkOrgID: String, name: String, callRail: TenantCallRailChange, secrets: TenantSecretsKey?
    ) async throws -> Tenant {
        if callRail.signingKey != nil, secrets == nil { throw TenantRecordsError(.secretsKeyRequired) }
        return try await Self.mappingConstraints {
            try await pool.transaction { connection in
                let inserted = try connection.query(
                    """
                    INSERT INTO tenants (clerk_org_id, name) VALUES ($1, $2)
                    ON CONFLICT (clerk_org_id) DO NOTHING RETURNING id
                    """, [clerkOrgID, name])
                if let row = inserted.first {
                    let id = try row.decode(String.self, "id")
                    try Self.apply(callRail, tenantID: id, secrets: secrets, connection: connection)
                    return try Self.loaded(connection, id: id)
                }
                let rows = try connection.query(
                    "SELECT id, callrail_company_id, callrail_signing_key FROM tenants WHERE clerk_org_id = $1",
                    [clerkOrgID])
                guard let row = rows.first else {
                    throw PostgresError(code: .queryFailed, reason: "tenant not returned")
                }
                let id = try row.decode(String.self, "id")
                if let company = callRail.companyID, try row.decode(String?.self, "callrail_company_id") != company {
                    throw TenantRecordsError(.alreadyExists, tenantID: id)
                }
                if let key = callRail.signingKey, let secrets {
                    let stored = try row.decode([UInt8]?.self, "callrail_signing_key")
                    let current = stored.flatMap {
                        try? secrets.open($0, tenantID: id, purpose: .callRailSigningKey)
                    }
                    guard current == key.value else { throw TenantRecordsError(.alreadyExists, tenantID: id) }
                }
                return try Self.loaded(connection, id: id)
            }
        }
    }

    /// Changes a tenant's name and CallRail binding in one transaction; throws
    /// ``TenantRecordsError/Code/notFound`` for an unknown id.
    ///
    /// A new signing key moves the current one to `previous`, accepted for
    /// `previousKeyValidFor` seconds (``TenantCallRailChange/defaultPreviousKeyWindow`` when
    /// nil; 0 drops it at once). `previousKeyValidFor` alone moves the end of a rotation that is
    /// under way (0 ends it now). `clearSigningKey` removes both keys.
    public func update(
        id: String, name: String?, callRail: TenantCallRailChange, secrets: TenantSecretsKey?
    ) async throws -> Tenant {
        guard UUIDText.isValid(id) else { throw TenantRecordsError(.notFound, tenantID: id) }
        if callRail.signingKey != nil, secrets == nil { throw TenantRecordsError(.secretsKeyRequired) }
        return try await Self.mappingConstraints {
            try await pool.transaction { connection in
                guard try connection.query("SELECT id FROM tenants WHERE id = $1::uuid FOR UPDATE", [id]).first != nil
                else { throw TenantRecordsError(.notFound, tenantID: id) }
                if let name {
                    _ = try connection.query("UPDATE tenants SET name = $2 WHERE id = $1::uuid", [id, name])
                }
                try Self.apply(callRail, tenantID: id, secrets: secrets, connection: connection)
                return try Self.loaded(connection, id: id)
            }
        }
    }

    /// Every tenant, oldest first.
    public func list() async throws -> [Tenant] {
        try await pool.query("SELECT \(Self.columns) FROM tenants ORDER BY created_at, id").rows.map(Self.tenant)
    }

    /// Every tenant's CallRail credentials as stored (keys still sealed), for the API's
    /// webhook credential cache.
    public func sealedCallRailCredentials() async throws -> [SealedCallRailCredentials] {
        try await pool.query(
            """
            SELECT id, callrail_company_id, callrail_signing_key, callrail_previous_signing_key,
                   extract(epoch FROM callrail_previous_key_valid_until)::float8 AS previous_valid_until
            FROM tenants
            """
        ).rows.map { row in
            SealedCallRailCredentials(
                tenantID: try row.decode(String.self, "id"),
                companyID: try row.decode(String?.self, "callrail_company_id"),
                signingKey: try row.decode([UInt8]?.self, "callrail_signing_key"),
                previousSigningKey: try row.decode([UInt8]?.self, "callrail_previous_signing_key"),
                previousValidUntil: try row.decode(Double?.self, "previous_valid_until"))
        }
    }

    static func loaded(_ connection: PostgresConnection, id: String) throws -> Tenant {
        guard let row = try connection.query("SELECT \(columns) FROM tenants WHERE id = $1::uuid", [id]).first else {
            throw TenantRecordsError(.notFound, tenantID: id)
        }
        return try tenant(row)
    }

    static func apply(
        _ change: TenantCallRailChange, tenantID: String, secrets: TenantSecretsKey?, connection: PostgresConnection
    ) throws {
        if let company = change.companyID {
            _ = try connection.query(
                "UPDATE tenants SET callrail_company_id = $2 WHERE id = $1::uuid", [tenantID, company])
        }
        if change.clearSigningKey {
            _ = try connection.query(
                """
                UPDATE tenants SET callrail_signing_key = NULL, callrail_previous_signing_key = NULL,
                    callrail_previous_key_valid_until = NULL
                WHERE id = $1::uuid
                """, [tenantID])
        } else if let key = change.signingKey {
            guard let secrets else { throw TenantRecordsError(.secretsKeyRequired) }
            let sealed = try secrets.seal(key.value, tenantID: tenantID, purpose: .callRailSigningKey)
            let window = change.previousKeyValidFor ?? TenantCallRailChange.defaultPreviousKeyWindow
            // SET reads the row as it was, so the old current key becomes the previous one.
            _ = try connection.query(
                """
                UPDATE tenants SET
                    callrail_previous_signing_key =
                        CASE WHEN $3::integer > 0 THEN callrail_signing_key END,
                    callrail_previous_key_valid_until =
                        CASE WHEN $3::integer > 0 AND callrail_signing_key IS NOT NULL
                             THEN now() + make_interval(secs => $3::double precision) END,
                    callrail_signing_key = $2
                WHERE id = $1::uuid
                """, [tenantID, sealed, window])
        } else if let window = change.previousKeyValidFor {
            let changed = try connection.query(
                """
                UPDATE tenants SET
                    callrail_previous_key_valid_until =
                        CASE WHEN $2::integer > 0 THEN now() + make_interval(secs => $2::double precision) END,
                    callrail_previous_signing_key = CASE WHEN $2::integer > 0 THEN callrail_previous_signing_key END
                WHERE id = $1::uuid AND callrail_previous_signing_key IS NOT NULL
                """, [tenantID, window])
            guard changed.affectedRows == 1 else { throw TenantRecordsError(.noPreviousKey, tenantID: tenantID) }
        }
    }

    /// Maps the unique index on `callrail_company_id` to ``TenantRecordsError/Code/companyTaken``.
    static func mappingConstraints<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresError where error.sqlState == "23505" {
            throw TenantRecordsError(.companyTaken)
        }
    }

    static func tenant(_ row: PostgresRow) throws -> Tenant {
        Tenant(
            id: try row.decode(String.self, "id"), clerkOrgID: try row.decode(String.self, "clerk_org_id"),
            name: try row.decode(String.self, "name"),
            callRailCompanyID: try row.decode(String?.self, "callrail_company_id"),
            hasCallRailSigningKey: try row.decode(Bool.self, "has_key"),
            callRailPreviousKeyValidUntil: try row.decode(Double?.self, "previous_valid_until"))
    }
}
