import Logging
import OttoPostgres
import OttoProcessKit

extension Dependencies {
    /// `check-config --connect` for a process that uses PostgreSQL and Redis (otto-api,
    /// otto-worker): each configured client answers, and the database role's privileges are
    /// reported (a role that bypasses row-level security is a warning).
    static func connectionCheck(configuration: some ProcessConfiguration, logger: Logger) -> ConnectionCheck {
        let dependencies = Dependencies(configuration: configuration, logger: logger)
        var checks: [DependencyCheck] = []
        if let postgres = dependencies.postgres { checks.append(.database(postgres, timeout: .seconds(3))) }
        if let redis = dependencies.redis { checks.append(.redis(redis)) }
        return ConnectionCheck(
            checks: checks,
            warnings: { failed in
                guard let postgres = dependencies.postgres, !failed.contains("database"),
                    let privileges = try? await DatabaseRole.privileges(postgres)
                else { return [] }
                return privileges.warnings
            },
            close: { await dependencies.shutdown() })
    }
}

extension APIProcessConfiguration {
    public func connectionCheck(logger: Logger) -> ConnectionCheck {
        Dependencies.connectionCheck(configuration: self, logger: logger)
    }
}

extension WorkerProcessConfiguration {
    public func connectionCheck(logger: Logger) -> ConnectionCheck {
        Dependencies.connectionCheck(configuration: self, logger: logger)
    }
}
