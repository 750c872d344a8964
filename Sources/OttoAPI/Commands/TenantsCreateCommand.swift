import ArgumentParser
import OttoCore

/// `otto-api tenants create --clerk-org ORG --name NAME [--json]`: idempotent per organisation.
struct TenantsCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create the tenant of a Clerk organisation (or show the existing one).")

    @Option(name: .customLong("clerk-org"), help: "The Clerk organisation id (org_…).")
    var clerkOrg: String

    @Option(help: "The tenant's display name.")
    var name: String

    @Flag(help: "Print one JSON document.")
    var json = false

    func run() async throws {
        let (clerkOrg, name, json) = (self.clerkOrg, self.name, self.json)
        guard !clerkOrg.isEmpty, !name.isEmpty else {
            throw ValidationError("--clerk-org and --name must not be empty")
        }
        let output = try await TenantDatabase.run { configuration, directory in
            let tenant = try await directory.create(clerkOrgID: clerkOrg, name: name)
            return TenantOutput(tenant, baseURL: TenantOutput.baseURL(configuration))
        }
        if json {
            print(try TenantOutput.json(output))
        } else {
            print(output.text)
        }
    }
}
