import Testing

@testable import OttoCalls
@testable import OttoCore
@testable import OttoProcessKit

@Suite("Secrets never printed")
struct SecretRedactionTests {
    // Recognisable, deliberately malformed values so that validation reports each variable.
    static let canaries: [String: String] = [
        "DATABASE_URL": "postgres://otto:CANARY-db-pass@h:notaport/db",
        "REDIS_URL": "redis://:CANARY-redis-pass@h:99999/x",
        "CLERK_SECRET_KEY": "CANARY-clerk-secret",
        "TWILIO_AUTH_TOKEN": "CANARY-twilio-token",
        "CALLRAIL_SIGNING_KEY": "CANARY-callrail-signing",
        "INTERNAL_API_TOKEN": "CANARY-int",
    ]

    @Test("validation errors name the variables but never their values")
    func errorsHideValues() throws {
        var environment = Self.canaries
        environment["APP_ENV"] = "production"
        environment["ENABLE_CELERY"] = "true"
        let error = try #require(throws: ConfigurationError.self) {
            try APIProcessConfiguration.load(environment: environment)
        }
        let text = "\(error)" + String(reflecting: error)
        for variable in ["DATABASE_URL", "REDIS_URL", "CLERK_SECRET_KEY", "TWILIO_AUTH_TOKEN", "INTERNAL_API_TOKEN"] {
            #expect(text.contains(variable))
        }
        #expect(!text.contains("CANARY"))
    }

    @Test("a valid configuration's descriptions and dumps hide every secret")
    func configurationDumpHidesSecrets() throws {
        let environment: [String: String] = [
            "APP_ENV": "production",
            "DATABASE_URL": "postgres://otto:CANARYdbpass@db.internal:5432/otto",
            "REDIS_URL": "rediss://default:CANARYredispass@redis.internal:6380",
            "ENABLE_CELERY": "true",
            "CLERK_SECRET_KEY": "sk_live_CANARYclerk",
            "CLERK_PUBLISHABLE_KEY": "pk_live_publicpublic",
            "TWILIO_ACCOUNT_SID": "AC" + String(repeating: "1", count: 32),
            "TWILIO_AUTH_TOKEN": "cafe" + String(repeating: "b", count: 28),
            "CALLRAIL_SIGNING_KEY": "CANARYcallrail",
            "ALLOWED_ORIGINS": "https://app.example.com",
            "PUBLIC_BASE_URL": "https://otto.example.com",
            "INTERNAL_API_TOKEN": "CANARYinternal-token-0123",
        ]
        let configuration = try APIProcessConfiguration.load(environment: environment)
        var dumped = ""
        dump(configuration, to: &dumped)
        let text = "\(configuration)" + String(reflecting: configuration) + dumped
        #expect(!text.contains("CANARY"))
        #expect(!text.contains("cafe" + String(repeating: "b", count: 28)))
        #expect(configuration.webhooks.twilio.authToken?.value.hasPrefix("cafe") == true)
    }
}
