import ArgumentParser

/// `otto-api tenants`: the operator's view of tenants and their webhook addresses.
struct TenantsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenants", abstract: "Create and list tenants and their webhook URLs.",
        subcommands: [TenantsCreateCommand.self, TenantsListCommand.self])
}
