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

/// `POST /webhooks/twilio/{tenant}/recording` through the real application: verified like the
/// status route, stored as a recording event, and processed (in-process, ENABLE_CELERY=false)
/// into one recording and one queued `call_analysis` run.
@Suite("Recording webhooks")
struct RecordingWebhookTests {
    static func path(_ tenant: String) -> String { "/webhooks/twilio/\(tenant)/recording" }

    static func fields(callSID: String = "CA-rec-api", recordingSID: String = "RE-rec-api") -> [(String, String)] {
        [
            ("AccountSid", "AC00000000000000000000000000000000"), ("CallSid", callSID),
            ("RecordingSid", recordingSID),
            ("RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/\(recordingSID)"),
            ("RecordingStatus", "completed"), ("RecordingDuration", "48"), ("RecordingChannels", "2"),
            ("RecordingSource", "DialVerb"), ("RecordingStartTime", "Mon, 16 Aug 2010 03:45:01 +0000"),
        ]
    }

    /// Posts `fields` to `path`, signed for `signedPath` (the path itself by default).
    static func post(
        _ client: any TestClientProtocol, path: String, fields: [(String, String)], signedPath: String? = nil,
        signature: String? = nil
    ) async throws -> HTTPResponse.Status {
        let body = fields.map { FormURLEncoded.encode($0.0) + "=" + FormURLEncoded.encode($0.1) }.joined(separator: "&")
        let signed = TwilioSignature(authToken: CallsTestApp.twilioToken).compute(
            url: CallsTestApp.baseURL + (signedPath ?? path), parameters: fields.map { (name: $0.0, value: $0.1) })
        return try await client.execute(
            uri: path, method: .post,
            headers: [
                .contentType: "application/x-www-form-urlencoded",
                HTTPField.Name("X-Twilio-Signature")!: signature ?? signed,
            ],
            body: ByteBuffer(string: body)
        ) { $0.status }
    }

    static func count(_ dependencies: Dependencies, _ tenant: String, _ sql: String) async throws -> Int {
        try await CallsTestApp.count(dependencies, tenant: tenant, sql)
    }

    @Test(
        "a signed recording callback is stored once, as a recording event, and becomes one recording and a queued run")
    func storedAndProcessed() async throws {
        try await CallsTestApp.run(environment: try CallsTestApp.environment()) { client, dependencies in
            let tenant = try await CallsTestApp.tenant(dependencies)
            // MUT: the callback, and the same delivery again
            #expect(try await Self.post(client, path: Self.path(tenant), fields: Self.fields()) == .ok)
            #expect(try await Self.post(client, path: Self.path(tenant), fields: Self.fields()) == .ok)
            // validate
            #expect(
                try await Self.count(
                    dependencies, tenant, "SELECT count(*) AS n FROM webhook_events WHERE event_kind = 'recording'")
                    == 1)
            let processed = try await CallsTestApp.eventually {
                let events = try await Self.count(
                    dependencies, tenant, "SELECT count(*) AS n FROM webhook_events WHERE processed_at IS NOT NULL")
                let workflows = try await Self.count(dependencies, tenant, "SELECT count(*) AS n FROM workflows")
                return events == 1 && workflows == 1
            }
            #expect(processed)
            #expect(
                try await Self.count(
                    dependencies, tenant,
                    """
                    SELECT count(*) AS n FROM recordings r JOIN calls c ON c.id = r.call_id
                    WHERE c.provider_call_id = 'CA-rec-api' AND r.provider_recording_id = 'RE-rec-api'
                      AND r.status = 'completed' AND r.channels = 2 AND r.duration_seconds = 48
                    """) == 1)
            #expect(try await Self.count(dependencies, tenant, "SELECT count(*) AS n FROM recordings") == 1)
            #expect(
                try await Self.count(
                    dependencies, tenant,
                    "SELECT count(*) AS n FROM workflows WHERE name = 'call_analysis' AND run = 1 AND state = 'queued'")
                    == 1)
            #expect(
                try await Self.count(
                    dependencies, tenant,
                    "SELECT count(*) AS n FROM workflow_steps WHERE state = 'pending' AND attempts = 0 AND run = 1")
                    == 3)
        }
    }

    @Test("the same recording delivered twice with its parameters reordered is one recording and run 1")
    func repeatedDelivery() async throws {
        try await CallsTestApp.run(environment: try CallsTestApp.environment()) { client, dependencies in
            let tenant = try await CallsTestApp.tenant(dependencies)
            #expect(try await Self.post(client, path: Self.path(tenant), fields: Self.fields()) == .ok)
            // Twilio retries after a timeout; also sent to the status route, which accepts it too.
            #expect(try await Self.post(client, path: Self.path(tenant), fields: Self.fields().reversed()) == .ok)
            #expect(
                try await Self.post(client, path: "/webhooks/twilio/\(tenant)", fields: Self.fields()) == .ok)
            let settled = try await CallsTestApp.eventually {
                let waiting = try await Self.count(
                    dependencies, tenant, "SELECT count(*) AS n FROM webhook_events WHERE processed_at IS NULL")
                let workflows = try await Self.count(dependencies, tenant, "SELECT count(*) AS n FROM workflows")
                return waiting == 0 && workflows == 1
            }
            #expect(settled)
            #expect(try await Self.count(dependencies, tenant, "SELECT count(*) AS n FROM recordings") == 1)
            #expect(try await Self.count(dependencies, tenant, "SELECT max(run) AS n FROM workflows") == 1)
        }
    }

    @Test("a forged recording callback gets 403, one without RecordingSid or CallSid 400, and nothing is stored")
    func refused() async throws {
        try await CallsTestApp.run(environment: try CallsTestApp.environment()) { client, dependencies in
            let tenant = try await CallsTestApp.tenant(dependencies)
            let path = Self.path(tenant)
            #expect(try await Self.post(client, path: path, fields: Self.fields(), signature: "AAAA") == .forbidden)
            // Signed for the status route's URL: the signature covers /recording, so it is refused.
            #expect(
                try await Self.post(
                    client, path: path, fields: Self.fields(), signedPath: "/webhooks/twilio/\(tenant)") == .forbidden)
            var noRecording = Self.fields()
            noRecording.removeAll { $0.0 == "RecordingSid" }
            #expect(try await Self.post(client, path: path, fields: noRecording) == .badRequest)
            var noCall = Self.fields()
            noCall.removeAll { $0.0 == "CallSid" }
            #expect(try await Self.post(client, path: path, fields: noCall) == .badRequest)
            #expect(try await Self.count(dependencies, tenant, "SELECT count(*) AS n FROM webhook_events") == 0)
            // The status route keeps taking status callbacks without a recording.
            #expect(
                try await Self.post(
                    client, path: "/webhooks/twilio/\(tenant)",
                    fields: CallsTestApp.twilioFields(callSID: "CA-status", status: "ringing")) == .ok)
        }
    }

    @Test("a recording callback signed for tenant A's URL is refused at tenant B's and stores nothing")
    func signedForAnotherTenant() async throws {
        try await CallsTestApp.run(environment: try CallsTestApp.environment()) { client, dependencies in
            let a = try await CallsTestApp.tenant(dependencies)
            let b = try await CallsTestApp.tenant(dependencies)
            #expect(
                try await Self.post(client, path: Self.path(b), fields: Self.fields(), signedPath: Self.path(a))
                    == .forbidden)
            #expect(try await Self.count(dependencies, b, "SELECT count(*) AS n FROM webhook_events") == 0)
            #expect(try await Self.post(client, path: Self.path(a), fields: Self.fields()) == .ok)
            #expect(try await Self.count(dependencies, a, "SELECT count(*) AS n FROM webhook_events") == 1)
        }
    }

    @Test("a CallRail post-call webhook with a recording becomes a recording and a queued run")
    func callRailPostCall() async throws {
        try await CallsTestApp.run(environment: try CallsTestApp.environment()) { client, dependencies in
            let tenant = try await CallsTestApp.tenant(dependencies)
            let json = """
                {"resource_id":"CAL-api-rec","answered":true,"direction":"inbound","duration":"90",\
                "customer_phone_number":"+15551234567","tracking_phone_number":"+15550001111",\
                "recording":"https://api.callrail.com/v3/a/ACC1/calls/CAL-api-rec/recording.json",\
                "recording_player":"https://app.callrail.com/calls/CAL-api-rec/recording?access_key=k",\
                "recording_duration":"88"}
                """
            #expect(try await CallsTestApp.callRail(client, tenant: tenant, json: json).0 == .ok)
            let processed = try await CallsTestApp.eventually {
                try await Self.count(dependencies, tenant, "SELECT count(*) AS n FROM workflows") == 1
            }
            #expect(processed)
            #expect(
                try await Self.count(
                    dependencies, tenant,
                    """
                    SELECT count(*) AS n FROM recordings
                    WHERE provider = 'callrail' AND provider_recording_id = 'CAL-api-rec' AND duration_seconds = 88
                      AND media_url = 'https://api.callrail.com/v3/a/ACC1/calls/CAL-api-rec/recording.json'
                    """) == 1)
            #expect(
                try await Self.count(
                    dependencies, tenant, "SELECT count(*) AS n FROM workflow_steps WHERE state = 'pending'") == 3)
        }
    }
}
