import Foundation
import Logging
import OttoPostgres
import Testing

@testable import OttoCalls
@testable import OttoCore
@testable import OttoProcessKit
@testable import OttoTasks

@Suite struct CallStoreTests {
    @Test func lateRingingNeverOverwritesCompleted() async throws {
        try await CallsTestDatabase.withPool { pool in
            let tenant = try await CallsTestDatabase.tenant(pool)
            let store = CallStore(pool: pool)
            // setup: the completed event arrives first
            let id = try await store.upsert(
                tenantID: tenant,
                CallUpdate(
                    provider: .twilio, providerCallID: "CA-order", status: "completed", startedAt: 1_000,
                    endedAt: 1_060, durationSeconds: 60))
            // MUT: a late ringing event, then a recording callback
            _ = try await store.upsert(
                tenantID: tenant,
                CallUpdate(
                    provider: .twilio, providerCallID: "CA-order", fromNumber: "+15551234567", status: "ringing",
                    startedAt: 990))
            _ = try await store.upsert(
                tenantID: tenant,
                CallUpdate(provider: .twilio, providerCallID: "CA-order", recordingURL: "https://r.example/1"))
            // validate
            let call = try #require(try await store.get(tenantID: tenant, id: id))
            #expect(call.status == "completed")
            #expect(call.fromNumber == "+15551234567")
            #expect(call.durationSeconds == 60)
            #expect(call.startedAt == "1970-01-01T00:16:30Z")
            #expect(call.endedAt == "1970-01-01T00:17:40Z")
            #expect(call.recordingURL == "https://r.example/1")
        }
    }

    @Test func tenantScopeHidesOtherTenantsRows() async throws {
        try await CallsTestDatabase.withPool { pool in
            let tenantA = try await CallsTestDatabase.tenant(pool)
            let tenantB = try await CallsTestDatabase.tenant(pool)
            let store = CallStore(pool: pool)
            _ = try await store.upsert(tenantID: tenantA, CallUpdate(provider: .twilio, providerCallID: "CA-a"))
            let callB = try await store.upsert(
                tenantID: tenantB, CallUpdate(provider: .twilio, providerCallID: "CA-b"))
            _ = try await CallsTestDatabase.twilioEvent(pool, tenant: tenantB, callSID: "CA-b", status: "ringing")

            // An unfiltered SELECT inside A's scope sees only A's rows.
            let (callTenants, eventTenants) = try await TenantScope.transaction(pool, tenantID: tenantA) { connection in
                (
                    try connection.query("SELECT DISTINCT tenant_id FROM calls").rows.map { $0["tenant_id"] },
                    try connection.query("SELECT DISTINCT tenant_id FROM webhook_events").rows.map { $0["tenant_id"] }
                )
            }
            #expect(callTenants == [tenantA])
            #expect(eventTenants.allSatisfy { $0 == tenantA })
            #expect(try await store.get(tenantID: tenantA, id: callB) == nil)
            #expect(try await store.list(tenantID: tenantA, CallListQuery()).calls.map(\.providerCallID) == ["CA-a"])
            // With no tenant set nothing is visible at all.
            #expect(try await pool.query("SELECT count(*) AS n FROM calls").first?["n"] == "0")
            #expect(try await pool.query("SELECT count(*) AS n FROM webhook_events").first?["n"] == "0")
            // And A cannot write a row for B: WITH CHECK refuses it (42501), not some other error.
            let refused = await #expect(throws: PostgresError.self) {
                try await TenantScope.transaction(pool, tenantID: tenantA) { connection in
                    try connection.query(
                        "INSERT INTO calls (tenant_id, provider, provider_call_id, status) VALUES ($1::uuid, 'twilio', 'x', 'ringing')",
                        [tenantB])
                }
            }
            #expect(refused?.sqlState == "42501", "\(String(describing: refused))")
        }
    }

    @Test func listPagesInStableOrderWithFilters() async throws {
        try await CallsTestDatabase.withPool { pool in
            let tenant = try await CallsTestDatabase.tenant(pool)
            let store = CallStore(pool: pool)
            for index in 0..<7 {
                // Two calls share each start time, so the id breaks ties.
                _ = try await store.upsert(
                    tenantID: tenant,
                    CallUpdate(
                        provider: .twilio, providerCallID: "CA-page-\(index)",
                        status: index == 0 ? "busy" : "completed",
                        startedAt: Double(1_700_000_000 + (index / 2) * 60)))
            }
            var seen: [String] = []
            var cursor: CallCursor?
            repeat {
                let page = try await store.list(tenantID: tenant, CallListQuery(limit: 3, cursor: cursor))
                seen += page.calls.map(\.id)
                cursor = page.nextCursor.flatMap(CallCursor.init(encoded:))
                #expect(page.calls.count <= 3)
            } while cursor != nil
            let all = try await store.list(tenantID: tenant, CallListQuery(limit: 100)).calls
            #expect(seen == all.map(\.id))
            #expect(Set(seen).count == 7)
            #expect(all.first?.providerCallID == "CA-page-6")
            #expect(try await store.list(tenantID: tenant, CallListQuery(status: "busy")).calls.count == 1)
            let window = try await store.list(
                tenantID: tenant, CallListQuery(from: 1_700_000_060, to: 1_700_000_120)
            ).calls.map(\.providerCallID)
            #expect(Set(window) == ["CA-page-2", "CA-page-3"])
        }
    }

    @Test func processTaskUpsertsCallAndMarksEventProcessed() async throws {
        try await CallsTestDatabase.withPool { pool in
            let tenant = try await CallsTestDatabase.tenant(pool)
            let completed = try await CallsTestDatabase.twilioEvent(
                pool, tenant: tenant, callSID: "CA-task", status: "completed", extra: ["CallDuration": "42"])
            let ringing = try await CallsTestDatabase.twilioEvent(
                pool, tenant: tenant, callSID: "CA-task", status: "ringing")
            for event in [completed, ringing] {
                _ = try await ProcessWebhookEventTask(postgres: pool).run(
                    .init(eventID: event, tenantID: tenant), context: Self.context(pool))
            }
            let calls = try await CallStore(pool: pool).list(tenantID: tenant, CallListQuery()).calls
            #expect(calls.count == 1)
            #expect(calls.first?.status == "completed")
            #expect(calls.first?.durationSeconds == 42)
            let processed = try await WebhookEventStore(pool: pool).load(tenantID: tenant, eventID: ringing)
            #expect(processed?.processed == true)
        }
    }

    @Test func cleanupDeletesEventsOlderThanRetention() async throws {
        try await CallsTestDatabase.withPool { pool in
            let tenant = try await CallsTestDatabase.tenant(pool)
            let old = try await CallsTestDatabase.twilioEvent(
                pool, tenant: tenant, callSID: "CA-old", status: "ringing")
            let fresh = try await CallsTestDatabase.twilioEvent(
                pool, tenant: tenant, callSID: "CA-new", status: "ringing")
            _ = try await TenantScope.transaction(pool, tenantID: tenant) { connection in
                try connection.query(
                    "UPDATE webhook_events SET received_at = now() - interval '31 days' WHERE id = $1::uuid", [old])
            }
            let output = try await CleanupTask(
                postgres: pool, redis: nil, keys: RedisKeys(prefix: TestServicesPrefix.make())
            ).run(
                .init(webhookRetentionDays: 30), context: Self.context(pool))
            #expect(output.webhookEventsDeleted >= 1)
            let store = WebhookEventStore(pool: pool)
            #expect(try await store.load(tenantID: tenant, eventID: old) == nil)
            #expect(try await store.load(tenantID: tenant, eventID: fresh) != nil)
        }
    }

    @Test func maintenanceSeesEveryTenantsBacklog() async throws {
        try await CallsTestDatabase.withPool { pool in
            let tenantA = try await CallsTestDatabase.tenant(pool)
            let tenantB = try await CallsTestDatabase.tenant(pool)
            let eventA = try await CallsTestDatabase.twilioEvent(
                pool, tenant: tenantA, callSID: "CA-m1", status: "ringing")
            let eventB = try await CallsTestDatabase.twilioEvent(
                pool, tenant: tenantB, callSID: "CA-m2", status: "ringing")
            let backlog = try await WebhookMaintenance(pool: pool).unenqueuedEvents(olderThanSeconds: 0, limit: 10_000)
            let ids = Set(backlog.map(\.id))
            #expect(ids.contains(eventA) && ids.contains(eventB))
            try await WebhookEventStore(pool: pool).markEnqueued(tenantID: tenantA, eventID: eventA)
            let after = try await WebhookMaintenance(pool: pool).unenqueuedEvents(olderThanSeconds: 0, limit: 10_000)
            #expect(!after.map(\.id).contains(eventA))
        }
    }

    static func context(_ pool: PostgresPool) -> TaskContext {
        let envelope = TaskEnvelope(
            id: UUID().uuidString.lowercased(), name: ProcessWebhookEventTask.name, arguments: "{}", queue: "default",
            attempt: 1, maxAttempts: 1, enqueuedAt: 0, dueAt: 0, tenantID: nil, dedupKey: nil, traceparent: nil,
            timeLimit: 300, resultTTL: nil, lastError: nil)
        return TaskContext(envelope: envelope, logger: Logger(label: "otto.tests.task"))
    }

    @Test("the reprocess lookup of a call's latest event reads webhook_events_by_call, never every event")
    func latestEventLookupIsIndexed() async throws {
        try await CallsTestDatabase.withPool { pool in
            let plan = try await pool.transaction { connection -> String in
                _ = try connection.query("SET LOCAL enable_seqscan = off")
                let query = CallStore.latestEventSQL.replacingOccurrences(
                    of: "$1", with: "'00000000-0000-4000-8000-000000000000'")
                return try connection.query("EXPLAIN " + query).rows.compactMap {
                    try $0.decode(String?.self, "QUERY PLAN")
                }
                .joined(separator: "\n")
            }
            #expect(plan.contains("webhook_events_by_call"), "\(plan)")
            #expect(!plan.contains("Seq Scan on webhook_events"), "\(plan)")
        }
    }
}

enum TestServicesPrefix {
    static func make() -> String { "otto-test-calls-\(UUID().uuidString.prefix(8).lowercased()):" }
}
