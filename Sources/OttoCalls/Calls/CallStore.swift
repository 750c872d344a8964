import OttoPostgres

/// `calls`: one row per provider call, merged from events in any order, read per tenant.
public struct CallStore: Sendable {
    let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Merges `update` into the tenant's call and returns the call's id.
    ///
    /// Order-independent: the status only moves up `CallStatus`'s ranking, the start time only
    /// moves earlier, the end time and duration only later, and fields once known stay.
    public func upsert(tenantID: String, _ update: CallUpdate) async throws -> String {
        try await TenantScope.transaction(pool, tenantID: tenantID) { connection in
            try Self.upsert(connection, tenantID: tenantID, update)
        }
    }

    static func upsert(_ connection: PostgresConnection, tenantID: String, _ update: CallUpdate) throws -> String {
        let rows = try connection.query(
            """
            INSERT INTO calls (tenant_id, provider, provider_call_id, direction, from_number, to_number,
                               tracking_number, status, started_at, ended_at, duration_seconds, recording_url)
            VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9::float8), to_timestamp($10::float8),
                    $11::integer, $12)
            ON CONFLICT (tenant_id, provider, provider_call_id) DO UPDATE SET
                direction = coalesce(calls.direction, EXCLUDED.direction),
                from_number = coalesce(calls.from_number, EXCLUDED.from_number),
                to_number = coalesce(calls.to_number, EXCLUDED.to_number),
                tracking_number = coalesce(calls.tracking_number, EXCLUDED.tracking_number),
                status = CASE WHEN \(CallStatus.rankSQL("EXCLUDED.status")) > \(CallStatus.rankSQL("calls.status"))
                              THEN EXCLUDED.status ELSE calls.status END,
                started_at = least(calls.started_at, EXCLUDED.started_at),
                ended_at = greatest(calls.ended_at, EXCLUDED.ended_at),
                duration_seconds = greatest(calls.duration_seconds, EXCLUDED.duration_seconds),
                recording_url = coalesce(calls.recording_url, EXCLUDED.recording_url),
                updated_at = now()
            RETURNING id
            """,
            [
                tenantID, update.provider.rawValue, update.providerCallID, update.direction, update.fromNumber,
                update.toNumber, update.trackingNumber, update.status, update.startedAt, update.endedAt,
                update.durationSeconds, update.recordingURL,
            ])
        return try rows.first?.decode(String.self, "id") ?? ""
    }

    /// The call with `id` in this tenant, or nil (another tenant's call is nil too).
    public func get(tenantID: String, id: String) async throws -> Call? {
        guard UUIDText.isValid(id) else { return nil }
        return try await TenantScope.statement(
            pool, tenantID: tenantID, "SELECT \(Call.selectList) FROM calls WHERE id = $1::uuid", [id]
        ).first.map { try Call(row: $0) }
    }

    /// A page of the tenant's calls, newest first (by start time, else creation), then by id.
    public func list(tenantID: String, _ query: CallListQuery) async throws -> CallPage {
        var conditions = ["tenant_id = $1::uuid"]
        var parameters: [any PostgresParameter] = [tenantID]
        func parameter(_ value: any PostgresParameter) -> String {
            parameters.append(value)
            return "$\(parameters.count)"
        }
        if let status = query.status { conditions.append("status = \(parameter(status))") }
        if let from = query.from {
            conditions.append("coalesce(started_at, created_at) >= to_timestamp(\(parameter(from))::float8)")
        }
        if let to = query.to {
            conditions.append("coalesce(started_at, created_at) < to_timestamp(\(parameter(to))::float8)")
        }
        if let cursor = query.cursor {
            let key = parameter(cursor.sortKey)
            let id = parameter(cursor.id)
            conditions.append("(coalesce(started_at, created_at), id) < (\(key)::timestamptz, \(id)::uuid)")
        }
        let limit = query.limit
        // The limit is a parameter, so each combination of filters is one prepared statement.
        let sql = """
            SELECT \(Call.selectList) FROM calls WHERE \(conditions.joined(separator: " AND "))
            ORDER BY coalesce(started_at, created_at) DESC, id DESC LIMIT \(parameter(limit + 1))::int
            """
        let rows = try await TenantScope.statement(pool, tenantID: tenantID, sql, parameters)
        var calls: [Call] = []
        var next: String?
        for (index, row) in rows.rows.enumerated() {
            if index == limit {
                let last = rows.rows[limit - 1]
                next =
                    CallCursor(
                        sortKey: try last.decode(String.self, "sort_key"), id: try last.decode(String.self, "id")
                    ).encoded
                break
            }
            calls.append(try Call(row: row))
        }
        return CallPage(calls: calls, nextCursor: next)
    }
}
