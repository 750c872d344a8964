import Foundation
import OttoCalls
import OttoTasks
import OttoTestSupport
import Testing

@testable import OttoAPI

@Suite("Webhooks without a database")
struct WebhookDatabaseDownTests {
    /// A database URL nothing listens on.
    static let environment = [
        "APP_ENV": "test", "DATABASE_URL": "postgres://otto:otto@127.0.0.1:1/otto", "ENABLE_CELERY": "false",
        "TWILIO_AUTH_TOKEN": CallsTestApp.twilioToken, "PUBLIC_BASE_URL": CallsTestApp.baseURL,
    ]

    @Test("a forged webhook is refused before the database is touched, a genuine one gets 503 to retry")
    func databaseDown() async throws {
        try await TestApp.run(environment: Self.environment) { client, _, _ in
            let tenant = UUID().uuidString.lowercased()
            let fields = CallsTestApp.twilioFields(callSID: "CA-down", status: "ringing")
            // (The calls sit outside #expect: a closure's throwing is inferred before macros expand.)
            let forged = try await CallsTestApp.twilio(client, tenant: tenant, fields: fields, signature: "forged")
            let genuine = try await CallsTestApp.twilio(client, tenant: tenant, fields: fields)
            #expect(forged == .forbidden)
            #expect(genuine == .serviceUnavailable)
        }
    }
}
