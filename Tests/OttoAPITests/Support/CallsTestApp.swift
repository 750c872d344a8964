import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import OttoCalls
import OttoCore
import OttoPostgres
import OttoProcessKit
import OttoSupport
import OttoTasks
import OttoTestSupport

@testable import OttoAPI

/// The production application (the router otto-api serves) with migrations applied, and helpers
/// that sign webhooks the way Twilio and CallRail do. `/v1` needs real session tokens: add
/// `CLERK_JWT_KEY` (`TestTokens.publicKeyPEM`) to the environment to reach it.
enum CallsTestApp {
    static let twilioToken = "0123456789abcdef0123456789abcdef"
    static let callRailKey = "test-callrail-signing-key"
    static let baseURL = "https://otto.test"

    static func environment(celery: Bool = false, redisURL: String? = nil) throws -> [String: String] {
        [
            "APP_ENV": "test", "DATABASE_URL": try TestServices.databaseURL(),
            "REDIS_URL": try redisURL ?? TestServices.redisURL(),
            "REDIS_KEY_PREFIX": TestServices.uniquePrefix("calls"),
            "ENABLE_CELERY": celery ? "true" : "false", "TWILIO_AUTH_TOKEN": twilioToken,
            "CALLRAIL_SIGNING_KEY": callRailKey, "PUBLIC_BASE_URL": baseURL, "MAX_BODY_BYTES": "65536",
            "TENANT_SECRETS_KEY": TestSecrets.tenantSecretsKey,
        ]
    }

    static func run<Value: Sendable>(
        environment: [String: String], output: LogOutput = .capturing(), metrics: APIMetrics = APIMetrics(),
        _ body: @Sendable (any TestClientProtocol, Dependencies) async throws -> Value
    ) async throws -> Value {
        let configuration = try TestApp.configuration(environment)
        let logger = LoggingSetup.logger(label: "otto.api.test", output: output, level: configuration.logging.level)
        let dependencies = Dependencies(configuration: configuration, logger: logger)
        do {
            try await MigrationRunner(pool: dependencies.postgres!, logger: logger).migrate()
            let app = buildApplication(
                configuration: configuration, dependencies: dependencies, logger: logger, metrics: metrics)
            let value = try await app.test(.live) { client in try await body(client, dependencies) }
            await dependencies.shutdown()
            return value
        } catch {
            await dependencies.shutdown()
            throw error
        }
    }

    /// A new tenant whose own CallRail signing key is `callRailKey` (`signingKey` overrides it,
    /// `nil` leaves the tenant without a key), optionally bound to a CallRail company; `org` is its
    /// Clerk organisation (the one a session token names), a new one by default.
    static func tenant(
        _ dependencies: Dependencies, signingKey: String? = callRailKey, company: String? = nil,
        org: String = "org_test_\(UUID().uuidString.lowercased())"
    ) async throws -> String {
        try await TenantRecords(pool: dependencies.postgres!).create(
            clerkOrgID: org, name: "Test tenant",
            callRail: TenantCallRailChange(companyID: company, signingKey: signingKey.map(Secret.init)),
            secrets: try TenantSecretsKey(base64: TestSecrets.tenantSecretsKey)
        ).id
    }

    /// A Twilio status callback, signed.
    static func twilio(
        _ client: any TestClientProtocol, tenant: String, fields: [(String, String)], signature: String? = nil,
        body override: String? = nil
    ) async throws -> HTTPResponse.Status {
        let path = "/webhooks/twilio/\(tenant)"
        let body = fields.map { FormURLEncoded.encode($0.0) + "=" + FormURLEncoded.encode($0.1) }.joined(separator: "&")
        let signed = TwilioSignature(authToken: twilioToken).compute(
            url: baseURL + path, parameters: fields.map { (name: $0.0, value: $0.1) })
        return try await client.execute(
            uri: path, method: .post,
            headers: [
                .contentType: "application/x-www-form-urlencoded",
                HTTPField.Name("X-Twilio-Signature")!: signature ?? signed,
            ],
            body: ByteBuffer(string: override ?? body)
        ) { $0.status }
    }

    /// A CallRail webhook, signed with HMAC-SHA1 under `key`.
    static func callRail(
        _ client: any TestClientProtocol, tenant: String, json: String, signature: String? = nil,
        key: String = callRailKey
    ) async throws -> (HTTPResponse.Status, String) {
        let signed = CallRailSignature(signingKey: key).compute(body: Array(json.utf8))
        return try await client.execute(
            uri: "/webhooks/callrail/\(tenant)", method: .post,
            headers: [.contentType: "application/json", HTTPField.Name("signature")!: signature ?? signed],
            body: ByteBuffer(string: json)
        ) { ($0.status, String(buffer: $0.body)) }
    }

    static func twilioFields(callSID: String, status: String, extra: [(String, String)] = []) -> [(String, String)] {
        [
            ("AccountSid", "AC00000000000000000000000000000000"), ("CallSid", callSID), ("CallStatus", status),
            ("Direction", "inbound"), ("From", "+15551234567"), ("To", "+15557654321"),
            ("Timestamp", "Mon, 16 Aug 2010 03:45:01 +0000"),
        ] + extra
    }

    /// Counts rows of a tenant table inside the tenant's scope.
    static func count(_ dependencies: Dependencies, tenant: String, _ sql: String) async throws -> Int {
        try await TenantScope.transaction(dependencies.postgres!, tenantID: tenant) { connection in
            try connection.query(sql).first!.decode(Int.self, "n")
        }
    }

    /// Polls until `condition` holds (fails after `timeout`).
    static func eventually(
        timeout: Duration = .seconds(20), _ condition: @Sendable () async throws -> Bool
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }
}
