/// Facts about the role the application connects as.
public enum DatabaseRole {
    /// Whether the current user is a superuser (row-level security does not bind superusers).
    public static func isSuperuser(_ pool: PostgresPool) async throws -> Bool {
        let rows = try await pool.query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        return try rows.first?.decode(Bool.self, "rolsuper") ?? false
    }
}
