import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

@testable import OttoAPI

/// Twilio webhooks belong to the configured account and to the tenant whose URL was signed.
@Suite("Twilio webhooks bound to the account and the tenant")
struct TwilioAccountTests {
    static let account = "AC" + String(repeating: "ab", count: 16)

    static func events(_ dependencies: Dependencies, _ tenant: String) async throws -> Int {
        try await CallsTestApp.count(dependencies, tenant: tenant, "SELECT count(*) AS n FROM webhook_events")
    }

    @Test("with TWILIO_ACCOUNT_SID set, a signed webhook naming another AccountSid gets 403 and stores nothing")
    func otherAccountRefused() async throws {
        var environment = try CallsTestApp.environment()
        environment["TWILIO_ACCOUNT_SID"] = Self.account
        try await CallsTestApp.run(environment: environment) { client, dependencies in
            let tenant = try await CallsTestApp.tenant(dependencies)
            // twilioFields names AC000…0, signed with the right auth token.
            let foreign = CallsTestApp.twilioFields(callSID: "CA-foreign", status: "completed")
            #expect(try await CallsTestApp.twilio(client, tenant: tenant, fields: foreign) == .forbidden)
            var missing = foreign
            missing.removeAll { $0.0 == "AccountSid" }
            #expect(try await CallsTestApp.twilio(client, tenant: tenant, fields: missing) == .forbidden)
            #expect(try await Self.events(dependencies, tenant) == 0)
            var own = foreign
            own[0] = ("AccountSid", Self.account)
            #expect(try await CallsTestApp.twilio(client, tenant: tenant, fields: own) == .ok)
            #expect(try await Self.events(dependencies, tenant) == 1)
        }
    }

    @Test("a Twilio webhook signed for tenant A's URL is refused at tenant B's and stores nothing")
    func signedForAnotherTenant() async throws {
        try await CallsTestApp.run(environment: try CallsTestApp.environment()) { client, dependencies in
            let a = try await CallsTestApp.tenant(dependencies)
            let b = try await CallsTestApp.tenant(dependencies)
            let fields = CallsTestApp.twilioFields(callSID: "CA-moved", status: "completed")
            let signedForA = TwilioSignature(authToken: CallsTestApp.twilioToken).compute(
                url: CallsTestApp.baseURL + "/webhooks/twilio/\(a)", parameters: fields.map { ($0.0, $0.1) })
            #expect(
                try await CallsTestApp.twilio(client, tenant: b, fields: fields, signature: signedForA) == .forbidden)
            #expect(try await Self.events(dependencies, b) == 0)
            #expect(try await CallsTestApp.twilio(client, tenant: a, fields: fields, signature: signedForA) == .ok)
            #expect(try await Self.events(dependencies, a) == 1)
        }
    }
}
