import Configuration
import OttoCalls
import OttoProcessKit
import OttoSupport

/// How otto-api verifies provider webhooks: Twilio's token and account, CallRail's signing key
/// and algorithm, the key that opens tenants' own CallRail keys, and the URL providers sign.
public struct WebhookVerificationConfiguration: Sendable {
    public var twilio: TwilioCredentials
    /// `CALLRAIL_SIGNING_KEY`: one company's token, for tenants without a key of their own.
    public var callrailSigningKey: Secret?
    /// `TENANT_SECRETS_KEY`: encrypts tenants' own CallRail signing keys at rest.
    public var tenantSecretsKey: TenantSecretsKey?
    /// `CALLRAIL_SIGNATURE_ALGORITHM`.
    public var callrailSignatureAlgorithm: HMACAlgorithm
    /// `PUBLIC_BASE_URL`: the URL providers call and sign, without a trailing slash.
    public var publicBaseURL: String?

    public init(
        twilio: TwilioCredentials = TwilioCredentials(), callrailSigningKey: Secret? = nil,
        tenantSecretsKey: TenantSecretsKey? = nil, callrailSignatureAlgorithm: HMACAlgorithm = .sha1,
        publicBaseURL: String? = nil
    ) {
        self.twilio = twilio
        self.callrailSigningKey = callrailSigningKey
        self.tenantSecretsKey = tenantSecretsKey
        self.callrailSignatureAlgorithm = callrailSignatureAlgorithm
        self.publicBaseURL = publicBaseURL
    }

    /// Reads the webhook keys.
    ///
    /// ## Configuration keys
    /// - `TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN`: see ``TwilioCredentials``.
    /// - `CALLRAIL_SIGNING_KEY` (secret; required when strict).
    /// - `TENANT_SECRETS_KEY` (secret, optional): base64 of 32 bytes. Required when strict only once
    ///   a tenant has a key: otto-api checks that at start, when it can read the tenants.
    /// - `CALLRAIL_SIGNATURE_ALGORITHM` (optional, default `sha1`): `sha1` or `sha256`.
    /// - `PUBLIC_BASE_URL` (required when strict): `http://` or `https://` and a host (https when
    ///   strict), no query, fragment or spaces.
    public init(config: ConfigReader, environment: AppEnvironment) throws(ConfigurationProblems) {
        var values = ConfigValues(config)
        var problems: [ConfigurationError.Problem] = []
        twilio = ConfigurationProblems.collect(into: &problems, fallback: TwilioCredentials()) {
            () throws(ConfigurationProblems) in try TwilioCredentials(config: config, environment: environment)
        }
        let strict = environment.strictRequirement
        callrailSigningKey = values.secret("CALLRAIL_SIGNING_KEY", requiredBecause: strict)
        tenantSecretsKey = nil
        if let text = values.raw("TENANT_SECRETS_KEY") {
            do {
                tenantSecretsKey = try TenantSecretsKey(base64: text)
            } catch {
                values.problem("TENANT_SECRETS_KEY", error.description)
            }
        }
        callrailSignatureAlgorithm = .sha1
        if let algorithm = values.raw("CALLRAIL_SIGNATURE_ALGORITHM") {
            if let parsed = HMACAlgorithm(rawValue: algorithm.lowercased()) {
                callrailSignatureAlgorithm = parsed
            } else {
                values.problem("CALLRAIL_SIGNATURE_ALGORITHM", "must be sha1 or sha256")
            }
        }
        publicBaseURL = nil
        if let base = values.value("PUBLIC_BASE_URL", requiredBecause: strict) {
            if let message = Self.problemInBaseURL(base, requireHTTPS: environment.isStrict) {
                values.problem("PUBLIC_BASE_URL", message)
            } else {
                publicBaseURL = base.hasSuffix("/") ? String(base.dropLast()) : base
            }
        }
        problems += values.problems
        guard problems.isEmpty else { throw ConfigurationProblems(problems) }
    }

    /// What is wrong with `text` as a public base URL, or nil.
    static func problemInBaseURL(_ text: String, requireHTTPS: Bool) -> String? {
        let isHTTPS = text.hasPrefix("https://")
        guard isHTTPS || text.hasPrefix("http://") else { return "must start with http:// or https://" }
        if requireHTTPS && !isHTTPS { return "must use https:// in staging and production" }
        let rest = text.drop(while: { $0 != "/" }).dropFirst(2)
        if rest.isEmpty || rest.hasPrefix("/") { return "must name a host" }
        if text.contains("?") || text.contains("#") || text.contains(where: \.isWhitespace) {
            return "must not contain a query, fragment or spaces"
        }
        return nil
    }
}
