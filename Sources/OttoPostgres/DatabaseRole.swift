/// Facts about the role the application connects as.
public enum DatabaseRole {
    /// The attributes that decide whether row-level security binds the role.
    public struct Privileges: Sendable, Equatable {
        /// `rolsuper`: a superuser bypasses row-level security, FORCE or not.
        public var superuser: Bool
        /// `rolbypassrls`: the role bypasses every row-level security policy.
        public var bypassesRLS: Bool
    }

    /// Whether the current user is a superuser (row-level security does not bind superusers).
    public static func isSuperuser(_ pool: PostgresPool) async throws -> Bool {
        try await privileges(pool).superuser
    }

    /// The current user's superuser and BYPASSRLS attributes.
    public static func privileges(_ pool: PostgresPool) async throws -> Privileges {
        let rows = try await pool.query(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        guard let row = rows.first else { return Privileges(superuser: false, bypassesRLS: false) }
        return Privileges(
            superuser: try row.decode(Bool.self, "rolsuper"), bypassesRLS: try row.decode(Bool.self, "rolbypassrls"))
    }
}
