import ArgumentParser
import OttoCalls
import OttoSupport

/// The CallRail binding options `tenants create` and `tenants update` share.
struct CallRailOptions: ParsableArguments {
    @Option(
        name: .customLong("callrail-company-id"),
        help: "The CallRail company whose webhooks this tenant receives (its company_resource_id or company_id).")
    var companyID: String?

    @Option(
        name: .customLong("callrail-signing-key-file"),
        help: """
            A file holding the company's CallRail signing key (`-` for stdin; on update it replaces the \
            current key); never pass the key itself.
            """)
    var signingKeyFile: String?

    func validate() throws {
        if let companyID { try CallRailCompanyID.validate(companyID) }
    }

    /// The signing key read from `--callrail-signing-key-file`, when given.
    func signingKey() throws -> Secret? {
        try signingKeyFile.map(SigningKeyFile.read)
    }
}
