import Foundation
import Logging
import OttoCalls
import OttoCore
import OttoPostgres
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

/// Signed webhooks whose numbers are beyond Int64 and whose dates have absurd years, sent to a
/// real otto-api that runs its tasks in-process: the process survives, the provider gets its
/// acknowledgement (a 4xx would make it drop a genuine event), and the call is stored with the
/// absurd fields unknown.
@Suite("Absurd webhook payloads", .serialized)
struct AbsurdPayloadTests {
    static let twilioToken = "00112233445566778899aabbccddeeff"
    static let accountSID = "AC0123456789abcdef0123456789abcdef"
    static let callRailKey = "absurd-payload-callrail-key"

    /// A running otto-api, its base URL, and a tenant created through `otto-api tenants create`.
    struct Stack: Sendable {
        var api: ChildProcess
        var base: String
        var tenant: String
        /// The tenant's CallRail company (unique per run: one company maps to one tenant).
        var company: String
        var pool: PostgresPool
    }

    static func withStack(_ body: (Stack) async throws -> Void) async throws {
        let port = FreePort.pick()
        let base = "http://127.0.0.1:\(port)"
        let environment = [
            "APP_ENV": "test", "HOST": "127.0.0.1", "PORT": String(port),
            "DATABASE_URL": try TestServices.databaseURL(),
            "REDIS_URL": try TestServices.redisURL(), "REDIS_KEY_PREFIX": TestServices.uniquePrefix("absurd"),
            "ENABLE_CELERY": "false", "TWILIO_AUTH_TOKEN": twilioToken, "TWILIO_ACCOUNT_SID": accountSID,
            "CALLRAIL_SIGNING_KEY": callRailKey, "PUBLIC_BASE_URL": base,
        ]
        let (migrated, migrateOutput) = try await ChildProcess.run("otto-api", ["migrate"], environment: environment)
        try #require(migrated == 0, "\(migrateOutput)")
        let company = "COM-absurd-\(UUID().uuidString.lowercased())"
        let (created, createOutput) = try await ChildProcess.run(
            "otto-api",
            [
                "tenants", "create", "--clerk-org", "org_absurd_\(UUID().uuidString.lowercased())",
                "--name", "Absurd payloads", "--callrail-company-id", company, "--json",
            ], environment: environment)
        try #require(created == 0, "\(createOutput)")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(createOutput.utf8)) as? [String: Any], "\(createOutput)")
        let tenant = try #require(document["id"] as? String)

        let api = ChildProcess(binary: "otto-api", environment: environment)
        try api.start()
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url: try TestServices.databaseURL(), poolSize: 2),
            logger: Logger(label: "otto.tests.absurd"))
        do {
            try #require(await HTTPExchange.waitForOK(base + "/health", timeout: .seconds(30)), "\(api.output)")
            try await body(Stack(api: api, base: base, tenant: tenant, company: company, pool: pool))
        } catch {
            await pool.shutdown()
            api.signal(SIGTERM)
            _ = await api.waitForExit(timeout: .seconds(20))
            throw error
        }
        await pool.shutdown()
        api.signal(SIGTERM)
        #expect(await api.waitForExit(timeout: .seconds(20)) == 0, "otto-api did not exit cleanly: \(api.output)")
    }

    /// The stored call's fields as text (NULL as nil), once the in-process task has upserted it.
    static func storedCall(_ stack: Stack, provider: String, callID: String) async throws -> [String: String?] {
        var found: [String: String?]?
        let stored = try await eventually(timeout: .seconds(30)) {
            found = try await TenantScope.transaction(stack.pool, tenantID: stack.tenant) { connection in
                try connection.query(
                    """
                    SELECT status, duration_seconds::text AS duration, started_at::text AS started,
                           ended_at::text AS ended, from_number, recording_url
                    FROM calls WHERE provider = $1 AND provider_call_id = $2
                    """, [provider, callID]
                ).first.map { row in
                    [
                        "status": row["status"], "duration": row["duration"], "started": row["started"],
                        "ended": row["ended"], "from": row["from_number"], "recording": row["recording_url"],
                    ]
                }
            }
            return found != nil
        }
        try #require(stored, "the call \(callID) was never stored; otto-api said:\n\(stack.api.output)")
        return found ?? [:]
    }

    static func twilio(_ stack: Stack, _ fields: [(String, String)]) async throws -> HTTPExchange {
        let path = "/webhooks/twilio/\(stack.tenant)"
        let signature = TwilioSignature(authToken: twilioToken).compute(
            url: stack.base + path, parameters: fields.map { (name: $0.0, value: $0.1) })
        let body = fields.map { FormURLEncoded.encode($0.0) + "=" + FormURLEncoded.encode($0.1) }.joined(separator: "&")
        return try await HTTPExchange.send(
            "POST", stack.base + path,
            headers: ["Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature],
            body: Data(body.utf8))
    }

    static func callRail(_ stack: Stack, _ json: String) async throws -> HTTPExchange {
        let signature = CallRailSignature(signingKey: callRailKey).compute(body: Array(json.utf8))
        return try await HTTPExchange.send(
            "POST", stack.base + "/webhooks/callrail/\(stack.tenant)?event=call-completed",
            headers: ["Content-Type": "application/json", "signature": signature], body: Data(json.utf8))
    }

    @Test("Twilio: a year beyond 9999 and a CallDuration of Int64.max are stored as unknown, and otto-api lives")
    func twilioAbsurdNumbers() async throws {
        try await Self.withStack { stack in
            let cases: [(sid: String, fields: [(String, String)])] = [
                (
                    "CA-absurd-year",
                    [
                        ("CallStatus", "completed"), ("Timestamp", "Mon, 16 Aug 999999999999999 03:45:01 +0000"),
                        ("CallDuration", "60"),
                    ]
                ),
                (
                    "CA-absurd-duration",
                    [
                        ("CallStatus", "completed"), ("Timestamp", "Mon, 16 Aug 2010 03:45:01 +0000"),
                        ("CallDuration", "9223372036854775807"),
                    ]
                ),
                (
                    "CA-absurd-zone",
                    [
                        ("CallStatus", "in-progress"), ("Timestamp", "Mon, 16 Aug 2010 03:45:01 +-100"),
                    ]
                ),
            ]
            for example in cases {
                let fields = [("AccountSid", Self.accountSID), ("CallSid", example.sid)] + example.fields
                let response = try await Self.twilio(stack, fields)
                #expect(
                    response.status == 200, "\(example.sid): \(response.status) \(response.text)\n\(stack.api.output)")
            }
            let year = try await Self.storedCall(stack, provider: "twilio", callID: "CA-absurd-year")
            #expect(year["status"] == "completed")
            #expect(year["ended"] == .some(nil) && year["started"] == .some(nil), "\(year)")
            #expect(year["duration"] == "60")
            let duration = try await Self.storedCall(stack, provider: "twilio", callID: "CA-absurd-duration")
            #expect(duration["duration"] == .some(nil), "\(duration)")
            #expect(duration["started"] == .some(nil), "\(duration)")
            #expect(duration["ended"] == "2010-08-16 03:45:01+00", "\(duration)")
            let zone = try await Self.storedCall(stack, provider: "twilio", callID: "CA-absurd-zone")
            #expect(zone["status"] == "in-progress")
            #expect(zone["started"] == .some(nil), "\(zone)")
            #expect(try await HTTPExchange.send("GET", stack.base + "/health").status == 200)
        }
    }

    @Test("CallRail: numbers beyond Int64 and dates past year 9999 are stored as unknown, and otto-api lives")
    func callRailAbsurdNumbers() async throws {
        try await Self.withStack { stack in
            let absurd = """
                {"resource_id":"CAL-absurd-numbers","company_resource_id":"\(stack.company)","answered":true,\
                "duration":1e30,"start_time":"9999-12-31T23:59:59-23:59","customer_phone_number":1e25,\
                "tracking_phone_number":12345678901234567890123,"business_phone_number":"+15552223333"}
                """
            let response = try await Self.callRail(stack, absurd)
            #expect(response.status == 200, "\(response.status) \(response.text)\n\(stack.api.output)")
            let call = try await Self.storedCall(stack, provider: "callrail", callID: "CAL-absurd-numbers")
            #expect(call["status"] == "completed")
            #expect(call["duration"] == .some(nil), "\(call)")
            #expect(call["started"] == .some(nil) && call["ended"] == .some(nil), "\(call)")
            #expect(call["from"] == .some(nil), "\(call)")

            // Without a usable id the webhook is a 4xx problem, not a crash.
            let numericID =
                #"{"id":98765432109876543210,"company_resource_id":""# + stack.company + #"","answered":true}"#
            let refused = try await Self.callRail(stack, numericID)
            #expect(refused.status == 400, "\(refused.status) \(refused.text)\n\(stack.api.output)")
            #expect(refused.header("Content-Type") == "application/problem+json")
            #expect(try await HTTPExchange.send("GET", stack.base + "/health").status == 200)
        }
    }
}
