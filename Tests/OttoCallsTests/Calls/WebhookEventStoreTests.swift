import Foundation
import Logging
import OttoPostgres
import OttoTestSupport
import Testing

@testable import OttoCalls

/// The webhook event insert: one statement stores a delivery or, for a repeat, answers the first
/// delivery's id.
@Suite struct WebhookEventStoreTests {
    @Test("a repeat delivery is answered with the first one's id and marked duplicate, in one statement")
    func repeatIsDuplicate() async throws {
        try await PostgresTestDatabase.withPool(poolSize: 1) { pool in
            try await MigrationRunner(pool: pool, logger: Logger(label: "otto.tests.migrations")).migrate()
            let tenant = try await CallsTestDatabase.tenant(pool)
            let store = WebhookEventStore(pool: pool)
            let digest = UUID().uuidString
            func insert() async throws -> (id: String, duplicate: Bool) {
                try await store.insert(
                    tenantID: tenant, provider: .twilio, providerCallID: "CA-dup", eventKind: "call-status",
                    bodySHA256: digest, payloadJSON: "{\"CallSid\":\"CA-dup\"}")
            }
            // MUT
            let first = try await insert()
            let second = try await insert()
            // validate
            #expect(!first.duplicate)
            #expect(second.duplicate)
            #expect(second.id == first.id)
            let stored = try await TenantScope.statement(
                pool, tenantID: tenant, "SELECT count(*) AS n FROM webhook_events WHERE body_sha256 = $1", [digest])
            #expect(stored.first?["n"] == "1")
            // The repeat was answered by the insert statement itself: the second read, needed only
            // when two first deliveries race, never ran on the pool's one connection.
            let prepared = try await pool.query("SELECT statement FROM pg_prepared_statements").rows.compactMap {
                $0["statement"]
            }
            #expect(prepared.filter { $0.hasPrefix("WITH inserted AS") }.count == 1)
            #expect(!prepared.contains { $0.hasPrefix("SELECT id FROM webhook_events") })
        }
    }
}
