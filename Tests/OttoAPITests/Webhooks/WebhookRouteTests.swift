import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import OttoTestSupport
import Testing

@testable import OttoAPI
@testable import OttoCore

@Suite("Webhooks")
struct WebhookRouteTests {
    @Test("a Twilio callback signed as Twilio documents is stored once and becomes a call")
    func twilioAccepted() async throws {
        try await CallsTestApp.run(environment: try CallsTestApp.environment()) { client, dependencies in
            let tenant = try await CallsTestApp.tenant(dependencies)
            let fields = CallsTestApp.twilioFields(
                callSID: "CA-accept", status: "completed", extra: [("CallDuration", "7")])
            #expect(try await CallsTestApp.twilio(client, tenant: tenant, fields: fields) == .ok)
            #expect(try await CallsTestApp.twilio(client, tenant: tenant, fields: fields) == .ok)  // repeat delivery
            #expect(
                try await CallsTestApp.count(dependencies, tenant: tenant, "SELECT count(*) AS n FROM webhook_events")
                    == 1)
            let processed = try await CallsTestApp.eventually {
                try await CallsTestApp.count(
                    dependencies, tenant: tenant, "SELECT count(*) AS n FROM calls WHERE status = 'completed'") == 1
            }
            #expect(processed)
        }
    }

    @Test("a CallRail webhook signed with the signing key is acknowledged with {\"status\":\"ok\"}")
    func callRailAccepted() async throws {
        try await CallsTestApp.run(environment: try CallsTestApp.environment()) { client, dependencies in
            let tenant = try await CallsTestApp.tenant(dependencies)
            let json = """
                {"resource_id":"CAL-1","direction":"inbound","answered":true,"customer_phone_number":"+15551234567",\
                "tracking_phone_number":"+15550001111","business_phone_number":"+15552223333",\
                "start_time":"2026-01-31T12:00:00.000-05:00","duration":"33","recording":null}
                """
            // The pre-call webhook first: CallRail sends it with answered=false and duration=0.
            let preCall =
                #"{"resource_id":"CAL-1","direction":"inbound","answered":false,"duration":0,"customer_number":"+15551234567"}"#
            #expect(try await CallsTestApp.callRail(client, tenant: tenant, json: preCall).0 == .ok)
            let (status, body) = try await CallsTestApp.callRail(client, tenant: tenant, json: json)
            #expect(status == .ok)
            #expect(body == #"{"status":"ok"}"#)
            let stored = try await CallsTestApp.eventually {
                try await CallsTestApp.count(
                    dependencies, tenant: tenant,
                    "SELECT count(*) AS n FROM calls WHERE provider_call_id = 'CAL-1' AND status = 'completed' AND tracking_number = '+15550001111'"
                ) == 1
            }
            #expect(stored)
        }
    }

    @Test("forged, unsigned and replayed-with-changed-body webhooks get 403 and store nothing")
    func forgeriesRefused() async throws {
        try await CallsTestApp.run(environment: try CallsTestApp.environment()) { client, dependencies in
            let tenant = try await CallsTestApp.tenant(dependencies)
            let fields = CallsTestApp.twilioFields(callSID: "CA-forged", status: "completed")
            let genuine = TwilioSignature(authToken: CallsTestApp.twilioToken).compute(
                url: CallsTestApp.baseURL + "/webhooks/twilio/\(tenant)", parameters: fields.map { ($0.0, $0.1) })
            #expect(
                try await CallsTestApp.twilio(client, tenant: tenant, fields: fields, signature: "AAAA") == .forbidden)
            #expect(try await CallsTestApp.twilio(client, tenant: tenant, fields: fields, signature: "") == .forbidden)
            #expect(
                try await CallsTestApp.twilio(
                    client, tenant: tenant, fields: fields, signature: genuine,
                    body: "CallSid=CA-forged&CallStatus=canceled") == .forbidden)
            let json = #"{"id":"CAL-forged","answered":true}"#
            let signed = CallRailSignature(signingKey: CallsTestApp.callRailKey).compute(body: Array(json.utf8))
            let replay = try await CallsTestApp.callRail(
                client, tenant: tenant, json: #"{"id":"CAL-forged","answered":false}"#, signature: signed)
            #expect(replay.0 == .forbidden)
            let wrongKey = CallRailSignature(signingKey: "not-the-key").compute(body: Array(json.utf8))
            #expect(
                try await CallsTestApp.callRail(client, tenant: tenant, json: json, signature: wrongKey).0 == .forbidden
            )
            #expect(
                try await CallsTestApp.count(dependencies, tenant: tenant, "SELECT count(*) AS n FROM webhook_events")
                    == 0)
        }
    }

    @Test("unknown tenants get 404, malformed bodies 400, oversized bodies 413")
    func badRequests() async throws {
        try await CallsTestApp.run(environment: try CallsTestApp.environment()) { client, dependencies in
            let tenant = try await CallsTestApp.tenant(dependencies)
            let fields = CallsTestApp.twilioFields(callSID: "CA-404", status: "ringing")
            #expect(
                try await CallsTestApp.twilio(client, tenant: UUID().uuidString.lowercased(), fields: fields)
                    == .notFound)
            #expect(try await CallsTestApp.twilio(client, tenant: "not-a-uuid", fields: fields) == .notFound)
            #expect(try await CallsTestApp.callRail(client, tenant: tenant, json: "[1,2").0 == .badRequest)
            #expect(
                try await CallsTestApp.twilio(client, tenant: tenant, fields: [("From", "+15551234567")]) == .badRequest
            )
            let big = String(repeating: "x", count: 70_000)
            #expect(try await CallsTestApp.callRail(client, tenant: tenant, json: big).0 == .contentTooLarge)
            #expect(
                try await CallsTestApp.count(dependencies, tenant: tenant, "SELECT count(*) AS n FROM webhook_events")
                    == 0)
        }
    }

    @Test("a burst of 500 webhooks with 20% duplicates stores 400 events and 200 calls, all completed")
    func burst() async throws {
        try await CallsTestApp.run(environment: try CallsTestApp.environment()) { client, dependencies in
            let tenant = try await CallsTestApp.tenant(dependencies)
            // 200 calls × (ringing, completed) = 400 distinct deliveries, plus 100 repeats.
            var deliveries: [[(String, String)]] = []
            for index in 0..<200 {
                deliveries.append(CallsTestApp.twilioFields(callSID: "CA-burst-\(index)", status: "ringing"))
                deliveries.append(
                    CallsTestApp.twilioFields(
                        callSID: "CA-burst-\(index)", status: "completed", extra: [("CallDuration", "\(index)")]))
            }
            deliveries += deliveries.shuffled().prefix(100)
            deliveries.shuffle()
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                var iterator = deliveries.makeIterator()
                for _ in 0..<16 {
                    if let fields = iterator.next() {
                        group.addTask { try await CallsTestApp.twilio(client, tenant: tenant, fields: fields) }
                    }
                }
                while let status = try await group.next() {
                    #expect(status == .ok)
                    if let fields = iterator.next() {
                        group.addTask { try await CallsTestApp.twilio(client, tenant: tenant, fields: fields) }
                    }
                }
            }
            let processed = try await CallsTestApp.eventually(timeout: .seconds(60)) {
                try await CallsTestApp.count(
                    dependencies, tenant: tenant,
                    "SELECT count(*) AS n FROM webhook_events WHERE processed_at IS NOT NULL")
                    == 400
            }
            let elapsed = ContinuousClock.now - start
            print("webhook burst: 500 requests to 200 stored calls in \(elapsed)")
            #expect(processed)
            #expect(
                try await CallsTestApp.count(dependencies, tenant: tenant, "SELECT count(*) AS n FROM webhook_events")
                    == 400)
            #expect(
                try await CallsTestApp.count(dependencies, tenant: tenant, "SELECT count(*) AS n FROM calls") == 200)
            #expect(
                try await CallsTestApp.count(
                    dependencies, tenant: tenant, "SELECT count(*) AS n FROM calls WHERE status = 'completed'") == 200)
        }
    }

    @Test("stopping Redis during a burst loses no event: the sweep enqueues what was stored")
    func redisOutage() async throws {
        let redis = try OwnRedisServer()
        defer { redis.remove() }
        try await redis.start()
        try await CallsTestApp.run(environment: try CallsTestApp.environment(celery: true, redisURL: redis.url)) {
            client, dependencies in
            let tenant = try await CallsTestApp.tenant(dependencies)
            for index in 0..<100 {
                if index == 50 { redis.stop() }
                let status = try await CallsTestApp.twilio(
                    client, tenant: tenant,
                    fields: CallsTestApp.twilioFields(callSID: "CA-outage-\(index)", status: "ringing"))
                #expect(status == .ok)
            }
            #expect(
                try await CallsTestApp.count(dependencies, tenant: tenant, "SELECT count(*) AS n FROM webhook_events")
                    == 100)
            let waiting = try await CallsTestApp.count(
                dependencies, tenant: tenant, "SELECT count(*) AS n FROM webhook_events WHERE enqueued_at IS NULL")
            #expect(waiting >= 50)

            try await redis.start()
            let swept = try await CallsTestApp.eventually(timeout: .seconds(30)) {
                let context = TaskContext(
                    envelope: Self.envelope(), logger: .init(label: "otto.tests.sweep"), redis: dependencies.redis,
                    postgres: dependencies.postgres, keys: dependencies.keys)
                // Scoped to this test's tenant so concurrent tests' events stay theirs.
                _ = try? await WebhookSweepTask().run(.init(minAgeSeconds: 0, tenantID: tenant), context: context)
                return try await CallsTestApp.count(
                    dependencies, tenant: tenant, "SELECT count(*) AS n FROM webhook_events WHERE enqueued_at IS NULL")
                    == 0
            }
            #expect(swept)
            // Every stored event of this tenant has a task in the stream.
            let entries = try await dependencies.redis!.send(["XRANGE", dependencies.keys.stream("default"), "-", "+"])
            var eventIDs = Set<String>()
            for entry in entries.array ?? [] {
                guard let fields = entry.array?.last?.array, let text = fields.last?.string,
                    let envelope = try? JSONDecoder().decode(TaskEnvelope.self, from: Data(text.utf8)),
                    let arguments = try? JSONDecoder().decode(
                        ProcessWebhookEventTask.Arguments.self, from: Data(envelope.arguments.utf8))
                else { continue }
                #expect(arguments.tenantID == tenant)
                eventIDs.insert(arguments.eventID)
            }
            #expect(eventIDs.count == 100)
        }
    }

    static func envelope() -> TaskEnvelope {
        TaskEnvelope(
            id: UUID().uuidString.lowercased(), name: WebhookSweepTask.name, arguments: "{}", queue: "default",
            attempt: 1, maxAttempts: 1, enqueuedAt: 0, dueAt: 0, tenantID: nil, dedupKey: nil, traceparent: nil,
            timeLimit: 300, resultTTL: nil, lastError: nil)
    }
}
