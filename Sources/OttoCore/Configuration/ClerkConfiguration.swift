import Configuration
import OttoProcessKit
import OttoSupport

/// How otto-api verifies Clerk sessions: `CLERK_SECRET_KEY`, `CLERK_PUBLISHABLE_KEY`, `CLERK_JWT_KEY`.
public struct ClerkConfiguration: Sendable {
    public var secretKey: Secret?
    /// Names the instance's Frontend API (the issuer and its JWKS).
    public var publishableKey: String?
    /// A PEM public key for networkless token verification.
    public var jwtKey: String?

    public init(secretKey: Secret? = nil, publishableKey: String? = nil, jwtKey: String? = nil) {
        self.secretKey = secretKey
        self.publishableKey = publishableKey
        self.jwtKey = jwtKey
    }

    /// Reads the Clerk keys.
    ///
    /// ## Configuration keys
    /// - `CLERK_SECRET_KEY` (secret; required when strict): `sk_test_…` or `sk_live_…`.
    /// - `CLERK_PUBLISHABLE_KEY` (required when strict): `pk_test_…` or `pk_live_…`.
    /// - `CLERK_JWT_KEY` (optional): a PEM public key; `\n` escapes are accepted.
    public init(config: ConfigReader, environment: AppEnvironment) throws(ConfigurationProblems) {
        var values = ConfigValues(config)
        self.init()
        let strict = environment.strictRequirement
        secretKey = values.secret("CLERK_SECRET_KEY", requiredBecause: strict)
        if let key = secretKey, !Self.matchesKey(key.value, prefixes: ["sk_test_", "sk_live_"]) {
            values.problem("CLERK_SECRET_KEY", "must look like sk_test_… or sk_live_…")
        }
        publishableKey = values.value("CLERK_PUBLISHABLE_KEY", requiredBecause: strict)
        if let key = publishableKey, !Self.matchesKey(key, prefixes: ["pk_test_", "pk_live_"]) {
            values.problem("CLERK_PUBLISHABLE_KEY", "must look like pk_test_… or pk_live_…")
        }
        if let pem = values.raw("CLERK_JWT_KEY") {
            let normalized = pem.replacing("\\n", with: "\n")
            if normalized.contains("-----BEGIN PUBLIC KEY-----") && normalized.contains("-----END PUBLIC KEY-----") {
                jwtKey = normalized
            } else {
                values.problem("CLERK_JWT_KEY", "must be a PEM public key (-----BEGIN PUBLIC KEY-----)")
            }
        }
        try values.finish()
    }

    /// Whether `value` is one of `prefixes` followed by more than eight characters.
    static func matchesKey(_ value: String, prefixes: [String]) -> Bool {
        prefixes.contains { value.hasPrefix($0) && value.count > $0.count + 8 }
    }
}
