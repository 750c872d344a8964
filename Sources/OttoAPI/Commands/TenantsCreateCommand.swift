import ArgumentParser
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks

/// `otto-api tenants create --clerk-org ORG --name NAME [--callrail-company-id ID]
/// [--callrail-signing-key-file PATH] [--json]`: idempotent per organisation.
struct TenantsCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create the tenant of a Clerk organisation (or show the existing one).",
        discussion: """
            A repeat for an existing organisation prints its tenant unchanged; if it asks for another \
            CallRail binding it fails and names `tenants update`. A signing key needs TENANT_SECRETS_KEY \
            (it is stored encrypted) and is never printed.
            """)

    @Option(name: .customLong("clerk-org"), help: "The Clerk organisation id (org_…).")
    var clerkOrg: String

    @Option(help: "The tenant's display name.")
    var name: String

    @OptionGroup var callRail: CallRailOptions

    @Flag(help: "Print one JSON document.")
    var json = false

    func validate() throws {
        guard !clerkOrg.isEmpty, !name.isEmpty else {
            throw ValidationError("--clerk-org and --name must not be empty")
        }
    }

    func run() async throws {
        let (clerkOrg, name, json) = (self.clerkOrg, self.name, self.json)
        let change = TenantCallRailChange(companyID: callRail.companyID, signingKey: try callRail.signingKey())
        let output = try await TenantDatabase.run { configuration, records in
            let tenant = try await records.create(
                clerkOrgID: clerkOrg, name: name, callRail: change, secrets: configuration.webhooks.tenantSecretsKey)
            return TenantOutput(tenant, baseURL: TenantOutput.baseURL(configuration))
        }
        print(json ? try OttoJSON.string(output) : output.text)
    }
}
