import ArgumentParser
import OttoCalls

/// `otto-api tenants`: the operator's view of tenants and their webhook addresses.
struct TenantsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenants",
        abstract: "Create, update and list tenants, their webhook URLs and CallRail bindings, and their usage.",
        subcommands: [
            TenantsCreateCommand.self, TenantsUpdateCommand.self, TenantsListCommand.self, TenantsUsageCommand.self,
        ])
}
