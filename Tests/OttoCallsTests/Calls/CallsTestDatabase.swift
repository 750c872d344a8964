import Foundation
import Logging
import OttoCalls
import OttoCore
import OttoPostgres
import OttoProcessKit
import OttoTasks
import OttoTestSupport

/// The test database with Otto's migrations applied, and fresh tenants.
enum CallsTestDatabase {
    static func withPool<Result>(_ body: (PostgresPool) async throws -> Result) async throws -> Result {
        try await PostgresTestDatabase.withPool(poolSize: 6) { pool in
            try await MigrationRunner(pool: pool, logger: Logger(label: "otto.tests.migrations")).migrate()
            return try await body(pool)
        }
    }

    /// A new tenant (unique Clerk organisation).
    static func tenant(_ pool: PostgresPool) async throws -> String {
        try await TenantRecords(pool: pool).create(
            clerkOrgID: "org_test_\(UUID().uuidString.lowercased())", name: "Test tenant"
        ).id
    }

    /// Stores a Twilio status callback for `tenant` and returns the event id.
    static func twilioEvent(
        _ pool: PostgresPool, tenant: String, callSID: String, status: String, extra: [String: String] = [:]
    ) async throws -> String {
        var fields = ["CallSid": callSID, "CallStatus": status, "From": "+15551234567", "To": "+15557654321"]
        fields.merge(extra) { _, new in new }
        let payload = String(decoding: try JSONEncoder().encode(fields), as: UTF8.self)
        return try await WebhookEventStore(pool: pool).insert(
            tenantID: tenant, provider: .twilio, providerCallID: callSID, eventKind: "call-status",
            bodySHA256: UUID().uuidString, payloadJSON: payload
        ).id
    }
}
