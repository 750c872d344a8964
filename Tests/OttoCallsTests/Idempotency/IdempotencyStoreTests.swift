import Foundation
import Logging
import OttoPostgres
import OttoTestSupport
import Testing

@testable import OttoCalls

/// The idempotency store's round trips: a claim is one statement and a completion another, each
/// pipelined with the tenant's transaction and prepared once per connection; a repeat is answered
/// by the claim statement itself.
@Suite struct IdempotencyStoreTests {
    @Test("claim and completion are one prepared statement each; a replay needs no second read")
    func oneStatementEach() async throws {
        try await PostgresTestDatabase.withPool(poolSize: 1) { pool in
            try await MigrationRunner(pool: pool, logger: Logger(label: "otto.tests.migrations")).migrate()
            let tenant = try await CallsTestDatabase.tenant(pool)
            let store = IdempotencyStore(pool: pool)
            let key = "key-\(UUID().uuidString)"
            // MUT: the first request claims, runs and completes; its repeat is replayed.
            guard case .acquired(let lease) = try await store.claim(tenantID: tenant, key: key, fingerprint: "f1")
            else {
                Issue.record("a new key was not acquired")
                return
            }
            #expect(try await store.claim(tenantID: tenant, key: key, fingerprint: "f1").isInProgress)
            let stored = StoredResponse(
                status: 202, headers: ["Content-Type": "application/json"], body: Array("{}".utf8))
            #expect(try await store.complete(tenantID: tenant, key: key, lease: lease, response: stored))
            guard
                case .completed(let fingerprint, let response) = try await store.claim(
                    tenantID: tenant, key: key, fingerprint: "f1")
            else {
                Issue.record("a completed key was not replayed")
                return
            }
            #expect(fingerprint == "f1")
            #expect(response == stored)
            // validate: on the pool's one connection, the claim is one prepared statement (insert,
            // or the row found) and the second read, needed only when first requests race, never ran.
            let prepared = try await pool.query("SELECT statement FROM pg_prepared_statements").rows.compactMap {
                $0["statement"]
            }
            #expect(prepared.filter { $0 == IdempotencyStore.claimSQL }.count == 1)
            #expect(!prepared.contains(IdempotencyStore.readSQL))
            #expect(prepared.filter { $0.contains("UPDATE idempotency_keys") }.count == 1)
        }
    }
}

extension IdempotencyStore.Claim {
    var isInProgress: Bool {
        if case .inProgress = self { return true }
        return false
    }
}
