import OttoPostgres

extension TenantScope {
    /// The setting the maintenance policies read (`current_setting('app.maintenance', true) = 'on'`):
    /// cross-tenant reads and clean-ups run with it on and no tenant set.
    public static let maintenanceSetting = "app.maintenance"

    /// Runs `body` in a transaction with `app.maintenance = 'on'` set locally and no tenant set.
    /// `BEGIN` and the setting travel in one round trip, as in ``transaction(_:tenantID:_:)``.
    public static func maintenanceTransaction<T: Sendable>(
        _ pool: PostgresPool, _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await pool.withConnection { connection in
            do {
                _ = try connection.pipeline([begin, PostgresStatement(setSQL, [maintenanceSetting, "on"])])
                let value = try body(connection)
                try connection.execute("COMMIT")
                return value
            } catch {
                // The original error matters; a failed ROLLBACK leaves the connection to be discarded.
                try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }
}
