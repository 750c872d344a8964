extension DatabaseRole.Privileges {
    /// What an operator should hear about a role that row-level security does not bind
    /// (`check-config` prints these; they never change its exit status).
    public var warnings: [String] {
        var warnings: [String] = []
        if superuser {
            warnings.append(
                "the database user is a superuser; row-level security does not bind it. Use a dedicated owner role.")
        }
        if bypassesRLS {
            warnings.append(
                "the database user has BYPASSRLS; row-level security does not bind it. Use a role without it (ALTER ROLE … NOBYPASSRLS)."
            )
        }
        return warnings
    }
}
