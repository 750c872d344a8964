import OttoPostgres

/// Why a `tenants` command could not do what it was asked; `description` is written for the
/// operator and never carries a key.
public struct TenantRecordsError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as an extensible set of values.
    public struct Code: Sendable, Hashable {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// No tenant has this id.
        public static let notFound = Code("notFound")
        /// The organisation's tenant exists with another CallRail binding.
        public static let alreadyExists = Code("alreadyExists")
        /// Another tenant is already bound to the CallRail company.
        public static let companyTaken = Code("companyTaken")
        /// A signing key cannot be stored without `TENANT_SECRETS_KEY`.
        public static let secretsKeyRequired = Code("secretsKeyRequired")
        /// `--previous-key-valid-for` without a rotation under way.
        public static let noPreviousKey = Code("noPreviousKey")
        /// The database has no Otto tables: `otto-api migrate` has not run on it.
        public static let notMigrated = Code("notMigrated")
    }

    public var code: Code
    public var tenantID: String?

    public init(_ code: Code, tenantID: String? = nil) {
        self.code = code
        self.tenantID = tenantID
    }

    public var description: String {
        let id = tenantID ?? "<id>"
        switch code {
        case .notFound: return "no tenant has the id \(id)"
        case .alreadyExists:
            return "the organisation's tenant \(id) exists with another CallRail binding; "
                + "change it with `otto-api tenants update \(id) …`"
        case .companyTaken: return "that CallRail company is already bound to another tenant"
        case .secretsKeyRequired:
            return "TENANT_SECRETS_KEY is required to store a signing key (base64 of 32 random bytes: "
                + "`openssl rand -base64 32`)"
        case .noPreviousKey: return "tenant \(id) has no previous CallRail signing key (no rotation under way)"
        case .notMigrated:
            return "the database has no Otto tables; run `otto-api migrate` against this DATABASE_URL first"
        default: return "the tenants command failed"
        }
    }
}

extension TenantRecordsError {
    /// The operator's reading of a database error, where one exists: a table that does not
    /// exist (SQLSTATE 42P01) means the database was never migrated.
    public init?(reading error: any Error) {
        guard let error = error as? PostgresError, error.sqlState == "42P01" else { return nil }
        self.init(.notMigrated)
    }
}
