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
        try await transaction(pool, setting: maintenanceSetting, to: "on", body)
    }
}
