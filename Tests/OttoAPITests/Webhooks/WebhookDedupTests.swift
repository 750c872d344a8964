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

/// A repeat delivery is recognised by meaning, not by bytes (issue 10 item 8), and input that
/// PostgreSQL's jsonb refuses never earns a 5xx that a provider would retry forever (item 7).
@Suite("Webhook duplicates by meaning, and text jsonb refuses")
struct WebhookDedupTests {
    /// Posts a raw form body, signed with Twilio's algorithm over the decoded pairs.
    static func twilioRaw(_ client: any TestClientProtocol, tenant: String, body: String) async throws
        -> HTTPResponse.Status
    {
        let path = "/webhooks/twilio/\(tenant)"
        let pairs = try FormURLEncoded.parse(body)
        let signature = TwilioSignature(authToken: CallsTestApp.twilioToken).compute(
            url: CallsTestApp.baseURL + path, parameters: pairs)
        return try await client.execute(
            uri: path, method: .post,
            headers: [
                .contentType: "application/x-www-form-urlencoded", HTTPField.Name("X-Twilio-Signature")!: signature,
            ],
            body: ByteBuffer(string: body)
        ) { $0.status }
    }

    static func events(_ dependencies: Dependencies, _ tenant: String) async throws -> Int {
        try await CallsTestApp.count(dependencies, tenant: tenant, "SELECT count(*) AS n FROM webhook_events")
    }

    @Test("one Twilio delivery re-sent reordered, with a repeated parameter or encoded differently is stored once")
    func twilioByMeaning() async throws {
        try await CallsTestApp.run(environment: try CallsTestApp.environment()) { client, dependencies in
            let tenant = try await CallsTestApp.tenant(dependencies)
            let variants = [
                "AccountSid=AC00000000000000000000000000000000&CallSid=CA-dedup&CallStatus=completed&From=%2B15551234567&Caller=Jane+Doe",
                "CallStatus=completed&Caller=Jane%20Doe&From=%2B15551234567&CallSid=CA-dedup&AccountSid=AC00000000000000000000000000000000",
                "AccountSid=AC00000000000000000000000000000000&CallSid=CA-dedup&CallSid=CA-dedup&CallStatus=completed&From=%2B15551234567&Caller=Jane+Doe",
                "AccountSid=AC00000000000000000000000000000000&CallSid=%43A-dedup&CallStatus=complet%65d&From=%2b15551234567&Caller=Jane+Doe",
            ]
            for body in variants {
                #expect(try await Self.twilioRaw(client, tenant: tenant, body: body) == .ok, "\(body)")
            }
            #expect(try await Self.events(dependencies, tenant) == 1)
            // A different value is a different delivery.
            let other = variants[0].replacingOccurrences(of: "Jane+Doe", with: "Jane+Roe")
            #expect(try await Self.twilioRaw(client, tenant: tenant, body: other) == .ok)
            #expect(try await Self.events(dependencies, tenant) == 2)
        }
    }

    @Test("one CallRail delivery re-sent with other key order, whitespace and escapes is stored once")
    func callRailByMeaning() async throws {
        try await CallsTestApp.run(environment: try CallsTestApp.environment()) { client, dependencies in
            let tenant = try await CallsTestApp.tenant(dependencies)
            let variants = [
                #"{"resource_id":"CAL-dedup","answered":true,"duration":33,"note":"a/b é"}"#,
                #"{ "note" : "a\/b \u00e9", "duration" : 33, "answered" : true, "resource_id" : "CAL-dedup" }"#,
                "{\n  \"answered\": true,\n  \"resource_id\": \"CAL-\\u0064edup\",\n  \"duration\": 33,\n  \"note\": \"a/b é\"\n}",
            ]
            for json in variants {
                #expect(try await CallsTestApp.callRail(client, tenant: tenant, json: json).0 == .ok, "\(json)")
            }
            #expect(try await Self.events(dependencies, tenant) == 1)
            // Numbers keep their written form: another number is another delivery.
            let other = #"{"resource_id":"CAL-dedup","answered":true,"duration":34,"note":"a/b é"}"#
            #expect(try await CallsTestApp.callRail(client, tenant: tenant, json: other).0 == .ok)
            #expect(try await Self.events(dependencies, tenant) == 2)
        }
    }

    @Test("a \\u0000 in a webhook is stored (as the text \\u0000) and processed, not answered with a 5xx")
    func nulStored() async throws {
        try await CallsTestApp.run(environment: try CallsTestApp.environment()) { client, dependencies in
            let tenant = try await CallsTestApp.tenant(dependencies)
            let json = #"{"resource_id":"CAL-nul","answered":true,"duration":"5","customer_name":"Jo\u0000hn"}"#
            let (status, body) = try await CallsTestApp.callRail(client, tenant: tenant, json: json)
            #expect(status == .ok, "\(body)")
            let stored = try await TenantScope.transaction(dependencies.postgres!, tenantID: tenant) { connection in
                try connection.query("SELECT payload->>'customer_name' AS name FROM webhook_events").first?
                    .decode(String.self, "name")
            }
            #expect(stored == #"Jo\u0000hn"#)
            // Twilio: a %00 in a form value.
            let form =
                "AccountSid=AC00000000000000000000000000000000&CallSid=CA-nul&CallStatus=completed&CallerName=Jo%00hn"
            #expect(try await Self.twilioRaw(client, tenant: tenant, body: form) == .ok)
            let processed = try await CallsTestApp.eventually {
                try await CallsTestApp.count(
                    dependencies, tenant: tenant,
                    "SELECT count(*) AS n FROM webhook_events WHERE processed_at IS NOT NULL")
                    == 2
            }
            #expect(processed)
            #expect(
                try await CallsTestApp.count(
                    dependencies, tenant: tenant,
                    "SELECT count(*) AS n FROM calls WHERE provider_call_id IN ('CAL-nul', 'CA-nul')") == 2)
        }
    }

    @Test("a number PostgreSQL cannot store is a 400, not a 5xx a provider would retry forever")
    func unstorableNumber() async throws {
        try await CallsTestApp.run(environment: try CallsTestApp.environment()) { client, dependencies in
            let tenant = try await CallsTestApp.tenant(dependencies)
            let json = #"{"resource_id":"CAL-huge","answered":true,"duration":1e200000}"#
            let (status, body) = try await CallsTestApp.callRail(client, tenant: tenant, json: json)
            #expect(status == .badRequest, "\(body)")
            #expect(try await Self.events(dependencies, tenant) == 0)
        }
    }

    @Test("a NUL in the call id itself is stored escaped, and the event's call has that same id")
    func nulInCallID() async throws {
        try await CallsTestApp.run(environment: try CallsTestApp.environment()) { client, dependencies in
            let tenant = try await CallsTestApp.tenant(dependencies)
            let json = #"{"resource_id":"CAL\u0000x","answered":true}"#
            #expect(try await CallsTestApp.callRail(client, tenant: tenant, json: json).0 == .ok)
            let processed = try await CallsTestApp.eventually {
                try await CallsTestApp.count(
                    dependencies, tenant: tenant,
                    #"SELECT count(*) AS n FROM calls WHERE provider_call_id = 'CAL\u0000x'"#)
                    == 1
            }
            #expect(processed)
            #expect(
                try await CallsTestApp.count(
                    dependencies, tenant: tenant,
                    #"SELECT count(*) AS n FROM webhook_events WHERE provider_call_id = 'CAL\u0000x'"#) == 1)
        }
    }
}
