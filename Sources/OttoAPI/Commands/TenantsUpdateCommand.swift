import ArgumentParser
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks

/// `otto-api tenants update ID [--name NAME] [--callrail-company-id ID]
/// [--callrail-signing-key-file PATH] [--previous-key-valid-for DURATION] [--clear-callrail-key]
/// [--json]`.
struct TenantsUpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change a tenant's name or CallRail binding (company, signing key rotation).",
        discussion: """
            A new signing key replaces the current one, which stays valid for --previous-key-valid-for \
            (default 24h; 0 drops it at once) so deliveries signed before the rotation still verify. \
            --previous-key-valid-for alone moves the end of a rotation under way (0 ends it now). \
            Running APIs pick the change up within 30 seconds, and at once for a webhook that fails \
            with the keys they hold. Keys need TENANT_SECRETS_KEY and are never printed.
            """)

    @Argument(help: "The tenant id (the UUID that `tenants create` printed).")
    var id: String

    @Option(help: "A new display name.")
    var name: String?

    @OptionGroup var callRail: CallRailOptions

    @Option(
        name: .customLong("previous-key-valid-for"),
        help: "How long the replaced key stays valid: 90s, 30m, 24h, 7d (at most 90d), or 0.")
    var previousKeyValidFor: OperatorDuration?

    @Flag(
        name: .customLong("clear-callrail-key"),
        help: "Remove the tenant's signing keys (its webhooks then need CALLRAIL_SIGNING_KEY and its company).")
    var clearCallRailKey = false

    @Flag(help: "Print one JSON document.")
    var json = false

    func validate() throws {
        guard UUIDText.isValid(id) else { throw ValidationError("ID must be a tenant id (a UUID)") }
        if let name, name.isEmpty { throw ValidationError("--name must not be empty") }
        if clearCallRailKey, callRail.signingKeyFile != nil || previousKeyValidFor != nil {
            throw ValidationError(
                "--clear-callrail-key cannot be combined with --callrail-signing-key-file or --previous-key-valid-for")
        }
    }

    func run() async throws {
        let (id, name, json) = (self.id, self.name, self.json)
        let change = TenantCallRailChange(
            companyID: callRail.companyID, signingKey: try callRail.signingKey(),
            previousKeyValidFor: previousKeyValidFor?.seconds, clearSigningKey: clearCallRailKey)
        let output = try await TenantDatabase.run { configuration, records in
            let tenant = try await records.update(
                id: id, name: name, callRail: change, secrets: configuration.webhooks.tenantSecretsKey)
            return TenantOutput(tenant, baseURL: TenantOutput.baseURL(configuration))
        }
        print(json ? try OttoJSON.string(output) : output.text)
    }
}
