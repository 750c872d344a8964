import OttoPostgres

extension MigrationCatalog {
    /// The usage ledger by day, for operators' reads of one day across tenants (the dashboard's
    /// usage panel): its primary key leads with the tenant, so without this a day's read scans
    /// every tenant's history.
    static let usageByDay = Migration(
        version: 8, name: "usage_by_day",
        sql: """
            CREATE INDEX usage_daily_day ON usage_daily (day);
            """)
}
