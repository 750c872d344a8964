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

/// DESIGN.md "Rate limiting": webhooks are verified first; a verified webhook is charged to its
/// tenant's bucket, a forged one to its client address's, with the same limit. No amount of
/// forged traffic naming a tenant changes what that tenant's genuine traffic gets.
@Suite("Webhook rate limits after verification")
struct WebhookRateLimitTests {
    struct Answer {
        var status: HTTPResponse.Status
        var headers: HTTPFields
    }

    static func environment(limit: String) throws -> [String: String] {
        var environment = try CallsTestApp.environment()
        environment["RATE_LIMIT_WEBHOOKS"] = limit
        return environment
    }

    static func twilio(
        _ client: any TestClientProtocol, tenant: String, callSID: String, signature: String? = nil,
        body override: String? = nil
    ) async throws -> Answer {
        let fields = CallsTestApp.twilioFields(callSID: callSID, status: "completed")
        let path = "/webhooks/twilio/\(tenant)"
        let body = fields.map { FormURLEncoded.encode($0.0) + "=" + FormURLEncoded.encode($0.1) }.joined(separator: "&")
        let signed = TwilioSignature(authToken: CallsTestApp.twilioToken).compute(
            url: CallsTestApp.baseURL + path, parameters: fields.map { (name: $0.0, value: $0.1) })
        return try await client.execute(
            uri: path, method: .post,
            headers: [
                .contentType: "application/x-www-form-urlencoded",
                HTTPField.Name("X-Twilio-Signature")!: signature ?? signed,
            ],
            body: ByteBuffer(string: override ?? body)
        ) { Answer(status: $0.status, headers: $0.headers) }
    }

    static func callRail(
        _ client: any TestClientProtocol, tenant: String, json: String, key: String = CallsTestApp.callRailKey
    ) async throws -> Answer {
        let signature = CallRailSignature(signingKey: key).compute(body: Array(json.utf8))
        return try await client.execute(
            uri: "/webhooks/callrail/\(tenant)", method: .post,
            headers: [.contentType: "application/json", HTTPField.Name("signature")!: signature],
            body: ByteBuffer(string: json)
        ) { Answer(status: $0.status, headers: $0.headers) }
    }

    /// Both header families, with the configured limit (per hour: a bucket that refills one
    /// request every few minutes, so a slow machine cannot refill it during a test).
    static func hasHeaders(_ answer: Answer, limit: Int) -> Bool {
        answer.headers[.rateLimitPolicy] == "\(limit);w=3600" && answer.headers[.rateLimit] != nil
            && answer.headers[.xRateLimitLimit] == String(limit) && answer.headers[.xRateLimitRemaining] != nil
            && answer.headers[.xRateLimitReset] != nil
    }

    /// The rate limiter's warnings (a Redis failure or a decision timeout), for failure messages.
    static func rateLimitWarnings(_ output: LogOutput) -> [String] {
        output.capturedLines.filter { $0.contains("rate limiting unavailable") }
    }

    @Test(
        "a forged flood naming tenant A spends its address's bucket, never A's: A's signed webhooks get the full budget"
    )
    func forgedFloodNamingTenant() async throws {
        let output = LogOutput.capturing()
        try await CallsTestApp.run(environment: try Self.environment(limit: "10/1h"), output: output) {
            client, dependencies in
            try await TestApp.connectRedis(dependencies)
            let tenant = try await CallsTestApp.tenant(dependencies)
            var forged: [Answer] = []
            for index in 0..<60 {
                if index.isMultiple(of: 2) {
                    forged.append(
                        try await Self.twilio(client, tenant: tenant, callSID: "CA-f\(index)", signature: "AAAA"))
                } else {
                    forged.append(
                        try await Self.callRail(
                            client, tenant: tenant, json: #"{"resource_id":"CAL-f\#(index)"}"#, key: "forged-key"))
                }
            }
            #expect(forged.prefix(10).allSatisfy { $0.status == .forbidden })
            #expect(forged.dropFirst(10).allSatisfy { $0.status == .tooManyRequests })
            #expect(
                forged.allSatisfy { Self.hasHeaders($0, limit: 10) },
                "\(forged.enumerated().filter { !Self.hasHeaders($0.1, limit: 10) }.map { "#\($0.0) \($0.1.status) \($0.1.headers)" }) \(Self.rateLimitWarnings(output))"
            )
            #expect(forged.dropFirst(10).allSatisfy { Int($0.headers[.retryAfter] ?? "") ?? 0 >= 1 })

            // The tenant's genuine webhooks, from the same address: the whole budget is there.
            var genuine: [Answer] = []
            for index in 0..<10 {
                if index.isMultiple(of: 2) {
                    genuine.append(try await Self.twilio(client, tenant: tenant, callSID: "CA-g\(index)"))
                } else {
                    genuine.append(
                        try await Self.callRail(
                            client, tenant: tenant, json: #"{"resource_id":"CAL-g\#(index)","answered":true}"#))
                }
            }
            #expect(genuine.map(\.status) == Array(repeating: .ok, count: 10))
            #expect(genuine.map { $0.headers[.xRateLimitRemaining] } == (0..<10).reversed().map { String($0) })
            #expect(genuine.allSatisfy { Self.hasHeaders($0, limit: 10) }, "\(Self.rateLimitWarnings(output))")
            // The tenant's own limit still holds.
            #expect(try await Self.twilio(client, tenant: tenant, callSID: "CA-g-over").status == .tooManyRequests)
            #expect(
                try await CallsTestApp.count(dependencies, tenant: tenant, "SELECT count(*) AS n FROM webhook_events")
                    == 10)
        }
    }

    @Test("a forger that varies the tenant in the path is limited by its address; genuine webhooks still pass")
    func forgerVaryingTenant() async throws {
        try await CallsTestApp.run(environment: try Self.environment(limit: "5/1h")) { client, dependencies in
            try await TestApp.connectRedis(dependencies)
            let genuineTenant = try await CallsTestApp.tenant(dependencies)
            var answers: [Answer] = []
            for index in 0..<20 {
                let random = UUID().uuidString.lowercased()
                answers.append(
                    try await Self.twilio(client, tenant: random, callSID: "CA-v\(index)", signature: "AAAA"))
            }
            // Unknown tenants on CallRail are refused too and spend the same bucket.
            for index in 0..<2 {
                answers.append(
                    try await Self.callRail(
                        client, tenant: UUID().uuidString.lowercased(), json: #"{"resource_id":"CAL-v\#(index)"}"#))
            }
            #expect(answers.prefix(5).allSatisfy { $0.status == .forbidden })
            #expect(answers.dropFirst(5).allSatisfy { $0.status == .tooManyRequests })
            #expect(answers.allSatisfy { Self.hasHeaders($0, limit: 5) })
            #expect(try await Self.twilio(client, tenant: genuineTenant, callSID: "CA-v-genuine").status == .ok)
        }
    }

    @Test("every answer of the webhook routes carries both header families: 200, 400, 403, 404 and 429")
    func headersOnEveryAnswer() async throws {
        let output = LogOutput.capturing()
        try await CallsTestApp.run(environment: try Self.environment(limit: "100/1h"), output: output) {
            client, dependencies in
            try await TestApp.connectRedis(dependencies)
            let tenant = try await CallsTestApp.tenant(dependencies)
            let answers = [
                try await Self.twilio(client, tenant: tenant, callSID: "CA-h-ok"),
                try await Self.callRail(client, tenant: tenant, json: "[1,2"),
                try await Self.callRail(client, tenant: tenant, json: #"{"answered":true}"#),
                try await Self.twilio(client, tenant: tenant, callSID: "CA-h-forged", signature: "AAAA"),
                try await Self.twilio(client, tenant: UUID().uuidString.lowercased(), callSID: "CA-h-404"),
                try await Self.callRail(client, tenant: "not-a-uuid", json: "{}"),
            ]
            #expect(answers.map(\.status) == [.ok, .badRequest, .badRequest, .forbidden, .notFound, .notFound])
            for answer in answers {
                #expect(
                    Self.hasHeaders(answer, limit: 100),
                    "\(answer.status): \(answer.headers) \(Self.rateLimitWarnings(output))")
            }
        }
    }
}
