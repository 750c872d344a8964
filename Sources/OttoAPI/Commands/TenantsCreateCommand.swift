import ArgumentParser
import OttoCore

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

    @Option(
        name: .customLong("callrail-company-id"),
        help: "The CallRail company whose webhooks this tenant receives (its company_resource_id or company_id).")
    var callRailCompanyID: String?

    @Option(
        name: .customLong("callrail-signing-key-file"),
        help: "A file holding the company's CallRail signing key (`-` for stdin); never pass the key itself.")
    var callRailSigningKeyFile: String?

    @Flag(help: "Print one JSON document.")
    var json = false

    func validate() throws {
        guard !clerkOrg.isEmpty, !name.isEmpty else {
            throw ValidationError("--clerk-org and --name must not be empty")
        }
        if let company = callRailCompanyID { try CallRailCompanyID.validate(company) }
    }

    func run() async throws {
        let (clerkOrg, name, json) = (self.clerkOrg, self.name, self.json)
        let change = TenantCallRailChange(
            companyID: callRailCompanyID, signingKey: try callRailSigningKeyFile.map(SigningKeyFile.read))
        let output = try await TenantDatabase.run { configuration, records in
            let tenant = try await records.create(
                clerkOrgID: clerkOrg, name: name, callRail: change, secrets: configuration.tenantSecretsKey)
            return TenantOutput(tenant, baseURL: TenantOutput.baseURL(configuration))
        }
        print(json ? try OttoJSON.string(output) : output.text)
    }
}
