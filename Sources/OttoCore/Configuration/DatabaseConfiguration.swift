import Configuration
import OttoPostgres
import OttoProcessKit
import OttoSupport

/// Where a process's PostgreSQL is: `DATABASE_URL`.
public struct DatabaseConfiguration: Sendable {
    /// `DATABASE_URL` (secret: it may carry a password).
    public var url: Secret

    public init(url: Secret) {
        self.url = url
    }

    /// Reads `DATABASE_URL`, required for `reason` (`by otto-api`).
    ///
    /// ## Configuration keys
    /// - `DATABASE_URL` (secret, required): `postgres://` or `postgresql://`, checked by libpq's
    ///   parser plus port, sslmode and integer options (at most 2147483647).
    public init(config: ConfigReader, requiredBecause reason: String) throws(ConfigurationProblems) {
        var values = ConfigValues(config)
        guard let text = values.require("DATABASE_URL", because: reason) else {
            throw ConfigurationProblems(values.problems)
        }
        for message in PostgresConfiguration.problems(inURL: text) { values.problem("DATABASE_URL", message) }
        try values.finish()
        self.init(url: Secret(text))
    }
}
