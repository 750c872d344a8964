import ArgumentParser
import OttoCore
import OttoProcessKit

/// `otto-api`: the HTTP API (default), configuration check and migrations.
@main
struct OttoAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "otto-api",
        abstract: "Otto's HTTP API: webhooks in, tenant API out.",
        subcommands: [
            ServeCommand.self, CheckConfigCommand<APIProcessConfiguration>.self, MigrateCommand.self,
            TenantsCommand.self,
        ],
        defaultSubcommand: ServeCommand.self)
}
