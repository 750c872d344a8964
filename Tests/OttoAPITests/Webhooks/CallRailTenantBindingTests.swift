import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

@testable import OttoAPI

/// DESIGN.md: a CallRail webhook is accepted at tenant T only when it verifies with T's own key
/// (the current one, or the previous one inside its rotation window), or, when T has none, with
/// CALLRAIL_SIGNING_KEY and it names T's company.
@Suite("CallRail webhooks bound to their tenant")
struct CallRailTenantBindingTests {
    struct Answer {
        var status: HTTPResponse.Status
        var detail: String
        var body: String
    }

    static func post(
        _ client: any TestClientProtocol, tenant: String, json: String, key: String, query: String = ""
    ) async throws -> Answer {
        let signature = CallRailSignature(signingKey: key).compute(body: Array(json.utf8))
        return try await client.execute(
            uri: "/webhooks/callrail/\(tenant)\(query)", method: .post,
            headers: [.contentType: "application/json", HTTPField.Name("signature")!: signature],
            body: ByteBuffer(string: json)
        ) { response in
            let body = String(buffer: response.body)
            let detail = (Probe.json(response)["detail"] as? String) ?? ""
            return Answer(status: response.status, detail: detail, body: body)
        }
    }

    static func events(_ dependencies: Dependencies, _ tenant: String) async throws -> Int {
        try await CallsTestApp.count(dependencies, tenant: tenant, "SELECT count(*) AS n FROM webhook_events")
    }

    static func payload(call: String, company: String? = nil, companyID: String? = nil) -> String {
        var fields = [#""resource_id":"\#(call)""#, #""answered":true"#, #""duration":"12""#]
        if let company { fields.append(#""company_resource_id":"\#(company)""#) }
        if let companyID { fields.append(#""company_id":\#(companyID)"#) }
        return "{" + fields.joined(separator: ",") + "}"
    }

    @Test(
        "signed with CALLRAIL_SIGNING_KEY or with tenant A's own key: accepted at A, refused at B, nothing stored at B")
    func boundToTenant() async throws {
        try await CallsTestApp.run(environment: try CallsTestApp.environment()) { client, dependencies in
            // Tenants without keys, verified by the account-wide key and bound to their companies.
            let companyA = TenantsCLI.company()
            let companyB = TenantsCLI.company()
            let a = try await CallsTestApp.tenant(dependencies, signingKey: nil, company: companyA)
            let b = try await CallsTestApp.tenant(dependencies, signingKey: nil, company: companyB)
            let json = Self.payload(call: "CAL-bound-\(UUID().uuidString.prefix(6))", company: companyA)
            let atB = try await Self.post(client, tenant: b, json: json, key: CallsTestApp.callRailKey)
            #expect(atB.status == .forbidden, "\(atB.body)")
            #expect(atB.detail.contains("company"))
            #expect(try await Self.events(dependencies, b) == 0)
            #expect(try await Self.post(client, tenant: a, json: json, key: CallsTestApp.callRailKey).status == .ok)
            #expect(try await Self.events(dependencies, a) == 1)

            // Tenants with their own keys: one tenant's key never opens another's URL.
            let keyC = TenantsCLI.newKey("c")
            let c = try await CallsTestApp.tenant(dependencies, signingKey: keyC)
            let d = try await CallsTestApp.tenant(dependencies, signingKey: TenantsCLI.newKey("d"))
            let own = Self.payload(call: "CAL-own-\(UUID().uuidString.prefix(6))")
            #expect(try await Self.post(client, tenant: d, json: own, key: keyC).status == .forbidden)
            #expect(try await Self.events(dependencies, d) == 0)
            // A tenant with its own key does not take CALLRAIL_SIGNING_KEY, even naming its company.
            #expect(
                try await Self.post(client, tenant: c, json: own, key: CallsTestApp.callRailKey).status == .forbidden)
            #expect(try await Self.post(client, tenant: c, json: own, key: keyC).status == .ok)
            #expect(try await Self.events(dependencies, c) == 1)
        }
    }

    @Test("the payload's company is compared as text: company_id as a number, company_resource_id as a string")
    func companyComparison() async throws {
        try await CallsTestApp.run(environment: try CallsTestApp.environment()) { client, dependencies in
            let numeric = String(Int.random(in: 100_000_000...999_999_999))
            let tenant = try await CallsTestApp.tenant(dependencies, signingKey: nil, company: numeric)
            let older = Self.payload(call: "CAL-num-\(numeric)", companyID: numeric)
            #expect(
                try await Self.post(client, tenant: tenant, json: older, key: CallsTestApp.callRailKey).status == .ok)
            let other = Self.payload(call: "CAL-num2-\(numeric)", companyID: String(Int(numeric)! + 1))
            let mismatch = try await Self.post(client, tenant: tenant, json: other, key: CallsTestApp.callRailKey)
            #expect(mismatch.status == .forbidden)
            #expect(mismatch.detail == "The webhook does not name the CallRail company this tenant is bound to.")
            let unnamed = Self.payload(call: "CAL-none-\(numeric)")
            #expect(
                try await Self.post(client, tenant: tenant, json: unnamed, key: CallsTestApp.callRailKey).status
                    == .forbidden)
            #expect(try await Self.events(dependencies, tenant) == 1)
        }
    }

    @Test("a tenant with neither a key nor a company refuses CallRail webhooks and says what to configure")
    func neitherConfigured() async throws {
        try await CallsTestApp.run(environment: try CallsTestApp.environment()) { client, dependencies in
            let tenant = try await CallsTestApp.tenant(dependencies, signingKey: nil)
            let answer = try await Self.post(
                client, tenant: tenant, json: Self.payload(call: "CAL-unbound"), key: CallsTestApp.callRailKey)
            #expect(answer.status == .forbidden)
            #expect(answer.detail.contains("otto-api tenants update \(tenant) --callrail-company-id"))
            #expect(answer.detail.contains("--callrail-signing-key-file"))
            #expect(try await Self.events(dependencies, tenant) == 0)
        }
    }

    @Test("rotation: the previous key is accepted inside the window the operator set and refused after it")
    func rotation() async throws {
        try await CallsTestApp.run(environment: try CallsTestApp.environment()) { client, dependencies in
            let old = TenantsCLI.newKey("old")
            let new = TenantsCLI.newKey("new")
            let tenant = try await CallsTestApp.tenant(dependencies, signingKey: old)
            let counter = HandlerCounter()
            let accepted = HandlerCounter()
            func send(_ key: String) async throws -> HTTPResponse.Status {
                let call = "CAL-rot-\(counter.increment())-\(tenant.prefix(8))"
                let status = try await Self.post(client, tenant: tenant, json: Self.payload(call: call), key: key)
                    .status
                if status == .ok { _ = accepted.increment() }
                return status
            }
            #expect(try await send(old) == .ok)
            #expect(try await send(new) == .forbidden)

            // The operator rotates through the real command, with a 30-second window.
            let file = try TenantsCLI.keyFile(new)
            defer { try? FileManager.default.removeItem(atPath: file) }
            let updated = try await TenantsCLI.json([
                "update", tenant, "--callrail-signing-key-file", file, "--previous-key-valid-for", "30s",
            ])
            let callrail = try #require(updated["callrail"] as? [String: Any])
            #expect(callrail["signing_key"] as? String == "set")
            let until = try #require(callrail["previous_key_valid_until"] as? String)
            let validUntil = try #require(ISO8601DateFormatter().date(from: until))

            // The running API picks the new key up when a webhook fails with the keys it holds (a
            // reload at most once a second) or at its periodic refresh (30 s).
            let pickedUp = try await eventually(timeout: .seconds(60), every: .seconds(1)) {
                try await send(new) == .ok
            }
            #expect(pickedUp)
            #expect(try await send(old) == .ok)  // inside the window
            // After the window the old key is refused; the new one still works.
            let refused = try await eventually(timeout: .seconds(90), every: .seconds(1)) {
                try await send(old) == .forbidden
            }
            #expect(refused)
            #expect(Date() >= validUntil, "the previous key was refused before \(until)")
            #expect(try await send(new) == .ok)
            #expect(try await Self.events(dependencies, tenant) == accepted.value)
        }
    }

    @Test("tenant keys are encrypted at rest: the column never holds the key, and another tenant's id does not open it")
    func encryptedAtRest() async throws {
        try await CallsTestApp.run(environment: try CallsTestApp.environment()) { _, dependencies in
            let key = TenantsCLI.newKey("rest")
            let tenant = try await CallsTestApp.tenant(dependencies, signingKey: key)
            let other = try await CallsTestApp.tenant(dependencies, signingKey: nil)
            let row = try #require(
                try await dependencies.postgres!.query(
                    "SELECT callrail_signing_key FROM tenants WHERE id = $1::uuid", [tenant]
                ).first)
            let sealed = try row.decode([UInt8].self, "callrail_signing_key")
            let keyBytes = Array(key.utf8)
            #expect(sealed.count >= keyBytes.count + 29)
            #expect(!Self.contains(sealed, keyBytes))
            let secrets = try TenantSecretsKey(base64: TestSecrets.tenantSecretsKey)
            #expect(try secrets.open(sealed, tenantID: tenant, purpose: .callRailSigningKey) == key)
            #expect(throws: TenantSecretsKey.Failure.self) {
                try secrets.open(sealed, tenantID: other, purpose: .callRailSigningKey)
            }
            // Read as another tenant's row (as the API's cache reads rows), the ciphertext does not
            // open, so it cannot verify that tenant's webhooks. (Not written to the shared
            // database: a key that does not open would stop the strict start-up tests.)
            let records = try await TenantRecords(pool: dependencies.postgres!).sealedCallRailCredentials()
            var moved = try #require(records.first { $0.tenantID == other })
            #expect(moved.signingKey == nil)
            moved.signingKey = sealed
            guard case .unavailable(.doesNotOpen) = CallRailCredentials(moved, secrets: secrets).signingKey else {
                Issue.record("a ciphertext moved to another tenant opened")
                return
            }
        }
    }

    @Test("in development, a tenant with a key and no TENANT_SECRETS_KEY gets a 503 that names the variable")
    func developmentWithoutSecretsKey() async throws {
        var environment = try CallsTestApp.environment()
        environment["TENANT_SECRETS_KEY"] = nil
        environment["APP_ENV"] = "development"
        let tenant = try await Self.tenantWithKey("dev")
        try await CallsTestApp.run(environment: environment) { client, dependencies in
            let answer = try await Self.post(
                client, tenant: tenant.id, json: Self.payload(call: "CAL-dev"), key: tenant.key)
            #expect(answer.status == .serviceUnavailable)
            #expect(answer.detail.contains("TENANT_SECRETS_KEY is not set"))
            #expect(!answer.body.contains(tenant.key))
            #expect(try await Self.events(dependencies, tenant.id) == 0)
        }
    }

    @Test("no tenant key reaches the API's logs or answers, whatever the webhook")
    func keysNeverLogged() async throws {
        var environment = try CallsTestApp.environment()
        environment["LOG_LEVEL"] = "trace"
        let output = LogOutput.capturing()
        let key = TenantsCLI.newKey("log")
        let otherKey = TenantsCLI.newKey("log-other")
        try await CallsTestApp.run(environment: environment, output: output) { client, dependencies in
            let tenant = try await CallsTestApp.tenant(dependencies, signingKey: key)
            let other = try await CallsTestApp.tenant(dependencies, signingKey: otherKey)
            let answers = [
                try await Self.post(client, tenant: tenant, json: Self.payload(call: "CAL-log"), key: key),
                try await Self.post(client, tenant: tenant, json: Self.payload(call: "CAL-log"), key: key),
                try await Self.post(client, tenant: tenant, json: "[1,2", key: key),
                try await Self.post(client, tenant: tenant, json: Self.payload(call: "CAL-log2"), key: otherKey),
                try await Self.post(client, tenant: other, json: Self.payload(call: "CAL-log3"), key: key),
            ]
            #expect(answers.map(\.status) == [.ok, .ok, .badRequest, .forbidden, .forbidden])
            for answer in answers {
                #expect(!answer.body.contains(key) && !answer.body.contains(otherKey))
            }
        }
        let log = output.capturedLines.joined(separator: "\n")
        #expect(output.capturedLines.count >= 5)
        #expect(log.contains("\"route\":\"/webhooks/callrail/{tenant}\""))
        #expect(!log.contains(key) && !log.contains(otherKey))
    }

    /// A tenant with its own key, created through the real command before an API starts.
    static func tenantWithKey(_ label: String) async throws -> (id: String, key: String) {
        let key = TenantsCLI.newKey(label)
        let file = try TenantsCLI.keyFile(key)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let created = try await TenantsCLI.json([
            "create", "--clerk-org", "org_\(label)_\(UUID().uuidString.prefix(8))", "--name", "Keyed",
            "--callrail-signing-key-file", file,
        ])
        return (try #require(created["id"] as? String), key)
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { Array(haystack[$0..<($0 + needle.count)]) == needle }
    }
}
