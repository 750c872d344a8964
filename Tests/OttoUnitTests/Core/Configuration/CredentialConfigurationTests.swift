import Configuration
import Testing

@testable import OttoCalls
@testable import OttoCore
@testable import OttoProcessKit
@testable import OttoTasks

/// The credential concerns, each read alone: Clerk, Twilio, the webhook keys, the worker's providers.
@Suite("Configuration: credentials")
struct CredentialConfigurationTests {
    static let sid = "AC" + String(repeating: "0123456789abcdef", count: 2)
    static let token = String(repeating: "ABCDEF01", count: 4)

    func refused<T>(
        _ environment: [String: String], _ read: (ConfigReader) throws(ConfigurationProblems) -> T
    ) -> Set<String> {
        Set(ConfigurationRules.refused(environment, read))
    }

    @Test("Clerk's keys are optional outside strict environments and required in them")
    func clerkStrictness() {
        let read = { (app: AppEnvironment) in
            { (config: ConfigReader) throws(ConfigurationProblems) in
                try ClerkConfiguration(config: config, environment: app)
            }
        }
        #expect(refused([:], read(.development)).isEmpty)
        #expect(refused([:], read(.test)).isEmpty)
        #expect(refused([:], read(.staging)) == ["CLERK_SECRET_KEY", "CLERK_PUBLISHABLE_KEY"])
        #expect(refused([:], read(.production)) == ["CLERK_SECRET_KEY", "CLERK_PUBLISHABLE_KEY"])
        let messages = ConfigurationRules.messages([:], read(.production))
        #expect(messages.contains("CLERK_SECRET_KEY: is required when APP_ENV=production"))
    }

    @Test("Clerk's keys need their prefix and more than eight characters after it")
    func clerkShapes() throws {
        let read = { (config: ConfigReader) throws(ConfigurationProblems) in
            try ClerkConfiguration(config: config, environment: .development)
        }
        #expect(refused(["CLERK_SECRET_KEY": "sk_test_12345678"], read) == ["CLERK_SECRET_KEY"])
        #expect(refused(["CLERK_SECRET_KEY": "sk_prod_123456789"], read) == ["CLERK_SECRET_KEY"])
        #expect(refused(["CLERK_PUBLISHABLE_KEY": "sk_live_123456789"], read) == ["CLERK_PUBLISHABLE_KEY"])
        #expect(refused(["CLERK_JWT_KEY": "-----BEGIN PUBLIC KEY-----"], read) == ["CLERK_JWT_KEY"])
        let clerk = try ClerkConfiguration(
            config: ConfigurationRules.reader([
                "CLERK_SECRET_KEY": "sk_live_123456789", "CLERK_PUBLISHABLE_KEY": "pk_test_123456789",
                "CLERK_JWT_KEY": "-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----",
            ]), environment: .production)
        #expect(clerk.secretKey?.value == "sk_live_123456789")
        #expect(clerk.publishableKey == "pk_test_123456789")
        // Escaped newlines (as a one-line secret store gives them) become real ones.
        #expect(clerk.jwtKey == "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")
    }

    @Test("Twilio's SID is AC and 32 hex digits, its token 32 hex digits")
    func twilioShapes() throws {
        let read = { (config: ConfigReader) throws(ConfigurationProblems) in
            try TwilioCredentials(config: config, environment: .development)
        }
        let twilio = try TwilioCredentials(
            config: ConfigurationRules.reader(["TWILIO_ACCOUNT_SID": Self.sid, "TWILIO_AUTH_TOKEN": Self.token]),
            environment: .production)
        #expect(twilio.accountSID == Self.sid)
        #expect(twilio.authToken?.value == Self.token)
        #expect(refused(["TWILIO_ACCOUNT_SID": Self.sid + "0"], read) == ["TWILIO_ACCOUNT_SID"])
        #expect(refused(["TWILIO_ACCOUNT_SID": "AB" + Self.sid.dropFirst(2)], read) == ["TWILIO_ACCOUNT_SID"])
        #expect(
            refused(["TWILIO_ACCOUNT_SID": "AC" + String(repeating: "g", count: 32)], read) == ["TWILIO_ACCOUNT_SID"])
        #expect(refused(["TWILIO_AUTH_TOKEN": String(Self.token.dropLast())], read) == ["TWILIO_AUTH_TOKEN"])
        #expect(refused([:], read).isEmpty)
        #expect(
            refused([:]) { config throws(ConfigurationProblems) in
                try TwilioCredentials(config: config, environment: .staging)
            } == ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"])
    }

    @Test("the webhook keys: strict requirements, and TENANT_SECRETS_KEY never required here")
    func webhookStrictness() {
        let production = refused([:]) { config throws(ConfigurationProblems) in
            try WebhookVerificationConfiguration(config: config, environment: .production)
        }
        #expect(
            production == ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "CALLRAIL_SIGNING_KEY", "PUBLIC_BASE_URL"])
        let development = refused([:]) { config throws(ConfigurationProblems) in
            try WebhookVerificationConfiguration(config: config, environment: .development)
        }
        #expect(development.isEmpty)
    }

    @Test("PUBLIC_BASE_URL loses its trailing slash and must be https when strict")
    func publicBaseURL() throws {
        func read(_ url: String, _ app: AppEnvironment) throws -> String? {
            try WebhookVerificationConfiguration(
                config: ConfigurationRules.reader(["PUBLIC_BASE_URL": url]), environment: app
            ).publicBaseURL
        }
        #expect(try read("https://otto.example.com/", .development) == "https://otto.example.com")
        #expect(try read("http://127.0.0.1:8080", .test) == "http://127.0.0.1:8080")
        for (url, app, message) in [
            ("http://otto.example.com", AppEnvironment.staging, "must use https:// in staging and production"),
            ("https://", .development, "must name a host"), ("https:///path", .development, "must name a host"),
            ("https://otto.example.com?x=1", .development, "must not contain a query, fragment or spaces"),
            ("https://otto.example.com#top", .development, "must not contain a query, fragment or spaces"),
            ("otto.example.com", .development, "must start with http:// or https://"),
        ] {
            let messages = ConfigurationRules.messages(["PUBLIC_BASE_URL": url]) {
                config throws(ConfigurationProblems) in
                try WebhookVerificationConfiguration(config: config, environment: app)
            }
            #expect(messages.contains("PUBLIC_BASE_URL: \(message)"), "\(url): \(messages)")
        }
    }

    @Test("CALLRAIL_SIGNATURE_ALGORITHM is sha1 by default, sha256 when asked, nothing else")
    func signatureAlgorithm() throws {
        let read = { (environment: [String: String]) throws(ConfigurationProblems) in
            try WebhookVerificationConfiguration(config: ConfigurationRules.reader(environment), environment: .test)
        }
        #expect(try read([:]).callrailSignatureAlgorithm == .sha1)
        #expect(try read(["CALLRAIL_SIGNATURE_ALGORITHM": "SHA256"]).callrailSignatureAlgorithm == .sha256)
        #expect(
            refused(["CALLRAIL_SIGNATURE_ALGORITHM": "md5"]) { config throws(ConfigurationProblems) in
                try WebhookVerificationConfiguration(config: config, environment: .test)
            } == ["CALLRAIL_SIGNATURE_ALGORITHM"])
    }

    @Test("the worker's providers are all required when strict, none otherwise")
    func providers() throws {
        let production = refused([:]) { config throws(ConfigurationProblems) in
            try ProviderCredentials(config: config, environment: .production)
        }
        #expect(
            production == [
                "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "CALLRAIL_API_KEY", "DEEPGRAM_API_KEY", "OPENAI_API_KEY",
                "BLAND_API_KEY",
            ])
        let none = try ProviderCredentials(config: ConfigurationRules.reader([:]), environment: .development)
        #expect(none.callrailAPIKey == nil && none.deepgramAPIKey == nil && none.twilio.authToken == nil)
        let keys = try ProviderCredentials(
            config: ConfigurationRules.reader(["DEEPGRAM_API_KEY": "dg", "BLAND_API_KEY": "bl"]), environment: .test)
        #expect(keys.deepgramAPIKey?.value == "dg")
        #expect(keys.blandAPIKey?.value == "bl")
        #expect(
            refused(["TWILIO_AUTH_TOKEN": "short"]) { config throws(ConfigurationProblems) in
                try ProviderCredentials(config: config, environment: .development)
            } == ["TWILIO_AUTH_TOKEN"])
    }
}
