import Foundation
import OttoPostgres
import Testing

@testable import OttoCalls

@Suite("Recording store")
struct RecordingStoreTests {
    static func attach(
        _ pool: PostgresPool, tenant: String, call: String, sid: String = "RE-1",
        url: String? = "https://r.example/RE-1",
        status: String = "completed", channels: Int? = 2, duration: Int? = 30
    ) async throws -> RecordingStore.Attachment {
        try await TenantScope.transaction(pool, tenantID: tenant) { connection in
            try RecordingStore.upsert(
                connection, tenantID: tenant, callID: call, provider: .twilio, providerRecordingID: sid, mediaURL: url,
                status: status, channels: channels, durationSeconds: duration)
        }
    }

    @Test("attaching the same recording again updates its one row and keeps its id")
    func upsertReplaces() async throws {
        try await CallsTestDatabase.withPool { pool in
            let tenant = try await CallsTestDatabase.tenant(pool)
            let call = try await PipelineTestSupport.call(pool, tenant: tenant)
            // setup: the recording arrives in progress, without a URL
            let first = try await Self.attach(
                pool, tenant: tenant, call: call, url: nil, status: "in-progress", channels: nil, duration: nil)
            #expect(first.completedNow == false)
            // MUT: completed, then the completed callback again, then a late in-progress one
            let completed = try await Self.attach(pool, tenant: tenant, call: call)
            let repeated = try await Self.attach(pool, tenant: tenant, call: call)
            let late = try await Self.attach(
                pool, tenant: tenant, call: call, url: nil, status: "in-progress", channels: nil, duration: nil)
            // validate: one row, completed once, and a late update undoes nothing
            #expect([completed.id, repeated.id, late.id] == [first.id, first.id, first.id])
            #expect(completed.completedNow == true)
            #expect(repeated.completedNow == false)
            #expect(late.completedNow == false)
            #expect(
                try await PipelineTestSupport.count(pool, tenant: tenant, "SELECT count(*) AS n FROM recordings") == 1)
            let stored = try #require(
                try await RecordingStore(pool: pool).load(tenantID: tenant, recordingID: first.id))
            #expect(stored.status == "completed")
            #expect(stored.mediaURL == "https://r.example/RE-1")
            #expect(stored.channels == 2)
            #expect(stored.durationSeconds == 30)
            #expect(stored.callID == call)
            #expect(stored.provider == .twilio)
            #expect(stored.providerRecordingID == "RE-1")
            #expect(stored.tenantID == tenant)
            #expect(abs(stored.receivedAt - Date().timeIntervalSince1970) < 600)
            // The public attach returns the same id.
            let id = try await TenantScope.transaction(pool, tenantID: tenant) { connection in
                try RecordingStore.attach(
                    connection, tenantID: tenant, callID: call, provider: .twilio, providerRecordingID: "RE-1",
                    mediaURL: nil, status: "completed", channels: nil, durationSeconds: nil)
            }
            #expect(id == first.id)
        }
    }

    @Test("another tenant neither sees nor changes a tenant's recording")
    func rowLevelSecurity() async throws {
        try await CallsTestDatabase.withPool { pool in
            let tenantA = try await CallsTestDatabase.tenant(pool)
            let tenantB = try await CallsTestDatabase.tenant(pool)
            let callA = try await PipelineTestSupport.call(pool, tenant: tenantA)
            let callB = try await PipelineTestSupport.call(pool, tenant: tenantB)
            let recording = try await Self.attach(pool, tenant: tenantA, call: callA, status: "failed")
            // B loads nothing, and B's attach of the same provider id makes B's own row.
            #expect(try await RecordingStore(pool: pool).load(tenantID: tenantB, recordingID: recording.id) == nil)
            let other = try await Self.attach(pool, tenant: tenantB, call: callB, url: "https://r.example/B")
            #expect(other.id != recording.id)
            // B's unfiltered update reaches no row of A's.
            let changed = try await TenantScope.transaction(pool, tenantID: tenantB) { connection in
                try connection.query("UPDATE recordings SET status = 'absent' WHERE id = $1::uuid", [recording.id])
                    .affectedRows
            }
            #expect(changed == 0)
            let stored = try #require(
                try await RecordingStore(pool: pool).load(tenantID: tenantA, recordingID: recording.id))
            #expect(stored.status == "failed")
            #expect(stored.mediaURL == "https://r.example/RE-1")
            #expect(
                try await PipelineTestSupport.count(pool, tenant: tenantA, "SELECT count(*) AS n FROM recordings") == 1)
            // A recording cannot be attached for another tenant: WITH CHECK refuses it.
            await #expect(throws: PostgresError.self) {
                try await TenantScope.transaction(pool, tenantID: tenantB) { connection in
                    try RecordingStore.attach(
                        connection, tenantID: tenantA, callID: callA, provider: .twilio, providerRecordingID: "RE-x",
                        mediaURL: nil, status: "completed", channels: nil, durationSeconds: nil)
                }
            }
        }
    }

    @Test("load answers nil for an unknown or malformed id")
    func loadUnknown() async throws {
        try await CallsTestDatabase.withPool { pool in
            let tenant = try await CallsTestDatabase.tenant(pool)
            let store = RecordingStore(pool: pool)
            #expect(try await store.load(tenantID: tenant, recordingID: UUID().uuidString.lowercased()) == nil)
            #expect(try await store.load(tenantID: tenant, recordingID: "not-a-uuid") == nil)
        }
    }
}
