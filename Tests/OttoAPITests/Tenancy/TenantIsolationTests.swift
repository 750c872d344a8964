import Foundation
import Logging
import OttoPostgres
import OttoTestSupport
import Testing

@testable import OttoCalls
@testable import OttoCore
@testable import OttoProcessKit
@testable import OttoTasks

@Suite("Tenant isolation")
struct TenantIsolationTests {
    func pool() async throws -> PostgresPool {
        let logger = Logger(label: "otto.test.tenancy")
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url: try TestServices.databaseURL(), poolSize: 4), logger: logger)
        _ = try await MigrationRunner(pool: pool, logger: logger).migrate()
        return pool
    }

    func insertKey(_ pool: PostgresPool, tenant: String, key: String, expiresIn seconds: Int = 3600) async throws {
        _ = try await TenantScope.transaction(pool, tenantID: tenant) { connection in
            try connection.query(
                """
                INSERT INTO idempotency_keys (tenant_id, key, fingerprint, state, expires_at)
                VALUES ($1::uuid, $2, 'f', 'in_progress', now() + make_interval(secs => $3::int))
                """, [tenant, key, seconds])
        }
    }

    @Test("the first sight of an organisation creates one tenant, also under concurrent first requests")
    func directoryCreatesOnce() async throws {
        let pool = try await pool()
        let org = "org_race_\(UUID().uuidString.prefix(8))"
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<10 {
                // Separate directories, so no cache hides the race.
                group.addTask { try await TenantDirectory(pool: pool).tenantID(forClerkOrg: org) }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(ids).count == 1)
        let rows = try await pool.query("SELECT count(*) AS n FROM tenants WHERE clerk_org_id = $1", [org])
        #expect(rows.first?["n"] == "1")
        await pool.shutdown()
    }

    @Test("an unfiltered SELECT in tenant A's scope returns only A's rows, as the owning non-superuser role")
    func rowLevelSecurityBindsTheOwner() async throws {
        // A database of its own, so a deliberately broken policy (a migration edit) takes effect.
        try await FreshDatabase.with { pool in try await rowLevelSecurity(pool) }
    }

    func rowLevelSecurity(_ pool: PostgresPool) async throws {
        let role = try await pool.query(
            """
            SELECT r.rolsuper::text AS superuser, (c.relowner = r.oid)::text AS owner,
                   c.relforcerowsecurity::text AS forced
            FROM pg_roles r, pg_class c WHERE r.rolname = current_user AND c.relname = 'idempotency_keys'
            """)
        #expect(role.first?["superuser"] == "false")
        #expect(role.first?["owner"] == "true")
        #expect(role.first?["forced"] == "true")

        let directory = TenantDirectory(pool: pool)
        let tenantA = try await directory.tenantID(forClerkOrg: "org_a_\(UUID().uuidString.prefix(8))")
        let tenantB = try await directory.tenantID(forClerkOrg: "org_b_\(UUID().uuidString.prefix(8))")
        try await insertKey(pool, tenant: tenantA, key: "a-1")
        try await insertKey(pool, tenant: tenantA, key: "a-2")
        try await insertKey(pool, tenant: tenantB, key: "b-1")

        // setup done // MUT: a query that forgets its tenant filter
        let seenByA = try await TenantScope.transaction(pool, tenantID: tenantA) { connection in
            try connection.query("SELECT tenant_id::text AS tenant, key FROM idempotency_keys").rows
        }
        #expect(seenByA.count == 2)
        #expect(seenByA.allSatisfy { $0["tenant"] == tenantA })

        // Writing into another tenant is refused by WITH CHECK: 42501, "new row violates row-level
        // security policy", not some other failure of the statement.
        let refused = await #expect(throws: PostgresError.self) {
            _ = try await TenantScope.transaction(pool, tenantID: tenantA) { connection in
                try connection.query(
                    """
                    INSERT INTO idempotency_keys (tenant_id, key, fingerprint, state, expires_at)
                    VALUES ($1::uuid, 'x', 'f', 'in_progress', now() + interval '1 hour')
                    """, [tenantB])
            }
        }
        #expect(refused?.sqlState == "42501", "\(String(describing: refused))")

        // With no tenant set, none of these (unexpired) rows is visible.
        let unscoped = try await pool.query(
            "SELECT count(*) AS n FROM idempotency_keys WHERE tenant_id IN ($1::uuid, $2::uuid)", [tenantA, tenantB])
        #expect(unscoped.first?["n"] == "0")
    }

    @Test(
        "otto.cleanup deletes every tenant's expired keys and old events, no more, and a tenant cannot delete others'")
    func cleanupPolicy() async throws {
        // A database of its own: the cleanup deletes the expired rows of every tenant, so only
        // there are its counts exact.
        try await FreshDatabase.with { pool in
            let directory = TenantDirectory(pool: pool)
            let tenantA = try await directory.tenantID(forClerkOrg: "org_ca_\(UUID().uuidString.prefix(8))")
            let tenantB = try await directory.tenantID(forClerkOrg: "org_cb_\(UUID().uuidString.prefix(8))")
            try await insertKey(pool, tenant: tenantA, key: "old", expiresIn: -10)
            try await insertKey(pool, tenant: tenantB, key: "old", expiresIn: -10)
            try await insertKey(pool, tenant: tenantB, key: "fresh")
            try await insertEvent(pool, tenant: tenantA, daysAgo: 31)
            try await insertEvent(pool, tenant: tenantB, daysAgo: 31)
            try await insertEvent(pool, tenant: tenantB, daysAgo: 29)

            let deletedByA = try await TenantScope.transaction(pool, tenantID: tenantA) { connection in
                try connection.query("DELETE FROM idempotency_keys WHERE tenant_id = $1::uuid", [tenantB]).affectedRows
            }
            #expect(deletedByA == 0)

            // MUT: the daily cleanup as a worker runs it, found by name in the task registry.
            let registry = TaskRegistry.standard(
                TaskDependencies(
                    postgres: pool, redis: nil, keys: RedisKeys(prefix: TestServices.uniquePrefix("cleanup"))))
            let entry = try #require(registry.entry(named: "otto.cleanup"))
            // With a result TTL, as an enqueue that wants the counts back asks: only then is the
            // result encoded (TaskRegistry's runner).
            let envelope = try TaskEnvelope.first(
                name: entry.name, arguments: "{}", options: EnqueueOptions(resultTTL: 60), registry: registry)
            let context = TaskContext(envelope: envelope, logger: Logger(label: "otto.test.cleanup"))
            let run = try #require(entry.run, "otto.cleanup needs no more than PostgreSQL")
            let output = try await run(envelope.arguments, context)

            let result = try JSONDecoder().decode(CleanupTask.Output.self, from: Data(output.utf8))
            #expect(result.idempotencyKeysDeleted == 2)
            #expect(result.webhookEventsDeleted == 2)
            let remainingA = try await TenantScope.transaction(pool, tenantID: tenantA) { connection in
                try connection.query("SELECT key FROM idempotency_keys").rows.compactMap { $0["key"] }
            }
            #expect(remainingA.isEmpty)
            let remainingB = try await TenantScope.transaction(pool, tenantID: tenantB) { connection in
                try connection.query("SELECT key FROM idempotency_keys").rows.compactMap { $0["key"] }
            }
            #expect(remainingB == ["fresh"])
            let eventsLeft = try await TenantScope.transaction(pool, tenantID: tenantB) { connection in
                try connection.query("SELECT count(*)::int AS n FROM webhook_events").first!.decode(Int.self, "n")
            }
            #expect(eventsLeft == 1)
        }
    }

    /// A stored webhook event of `tenant`, received `daysAgo` days ago.
    func insertEvent(_ pool: PostgresPool, tenant: String, daysAgo: Int) async throws {
        _ = try await TenantScope.transaction(pool, tenantID: tenant) { connection in
            try connection.query(
                """
                INSERT INTO webhook_events (tenant_id, provider, event_kind, body_sha256, payload, received_at)
                VALUES ($1::uuid, 'twilio', 'call-status', gen_random_uuid()::text, '{}',
                        now() - make_interval(days => $2::int))
                """, [tenant, daysAgo])
        }
    }
}
