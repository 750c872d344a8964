import Foundation
import OttoCalls
import OttoPostgres
import OttoTestSupport
import Testing

/// The pipeline's read side against PostgreSQL: rows inserted in a tenant's scope come back
/// decoded (utterances, talk time), only to their tenant, and the ledger's days only within the
/// range asked for; the operator's read crosses tenants with their names.
@Suite("Pipeline reading")
struct PipelineReadingTests {
    static func call(_ pool: PostgresPool, tenant: String, _ sid: String) async throws -> String {
        try await CallStore(pool: pool).upsert(
            tenantID: tenant, CallUpdate(provider: .twilio, providerCallID: sid, status: "completed"))
    }

    @Test("a transcript loads with its utterances decoded, for its own tenant only")
    func transcript() async throws {
        try await CallsTestDatabase.withPool { pool in
            // setup
            let tenant = try await CallsTestDatabase.tenant(pool)
            let other = try await CallsTestDatabase.tenant(pool)
            let callID = try await Self.call(pool, tenant: tenant, "CA-read-transcript")
            let bare = try await Self.call(pool, tenant: tenant, "CA-read-bare")
            let recording = try await PipelineRows.recording(pool, tenant: tenant, callID: callID)
            try await PipelineRows.transcript(pool, tenant: tenant, callID: callID, recordingID: recording)

            // MUT
            let record = try #require(try await TranscriptRecords.load(pool, tenantID: tenant, callID: callID))

            // validate
            #expect(record.callID == callID)
            #expect(record.recordingID == recording)
            #expect(record.channels == 2)
            #expect(record.durationSeconds == 125.4)
            #expect(record.model == "nova-3")
            #expect(record.modelName == "general-nova-3")
            #expect(record.requestID == "req-1")
            #expect(record.createdAt == 1_769_860_990)
            #expect(record.updatedAt == 1_769_861_000)
            #expect(record.utterances.map(\.channel) == [0, 1])
            #expect(record.utterances.map(\.speaker) == [nil, nil])
            #expect(record.utterances.map(\.start) == [0.32, 3.1])
            #expect(record.utterances.map(\.end) == [2.9, 6.05])
            #expect(record.utterances.map(\.confidence) == [0.97, 0.94])
            #expect(record.utterances.first?.text == "Thanks for calling, this is Dana.")
            #expect(record.transcript.utterances == record.utterances)
            #expect(record.transcript.durationSeconds == 125.4)

            #expect(try await TranscriptRecords.load(pool, tenantID: other, callID: callID) == nil)
            #expect(try await TranscriptRecords.load(pool, tenantID: tenant, callID: bare) == nil)
            #expect(try await TranscriptRecords.load(pool, tenantID: tenant, callID: "not-a-uuid") == nil)
        }
    }

    @Test("an analysis loads with its lists and talk time decoded (a null ratio stays nil), for its own tenant only")
    func analysis() async throws {
        try await CallsTestDatabase.withPool { pool in
            let tenant = try await CallsTestDatabase.tenant(pool)
            let other = try await CallsTestDatabase.tenant(pool)
            let callID = try await Self.call(pool, tenant: tenant, "CA-read-analysis")
            let silent = try await Self.call(pool, tenant: tenant, "CA-read-silent")
            try await PipelineRows.analysis(pool, tenant: tenant, callID: callID)
            try await PipelineRows.analysis(
                pool, tenant: tenant, callID: silent, sentiment: "neutral", outcome: "voicemail",
                talkTimeJSON: #"{"by_party":{},"ratio":null,"silence_seconds":30,"overlap_seconds":0}"#, leadScore: 0)

            let record = try #require(try await AnalysisRecords.load(pool, tenantID: tenant, callID: callID))
            #expect(record.summary == "The caller booked a visit.")
            #expect(record.sentiment == "positive")
            #expect(record.outcome == "appointment_booked")
            #expect(record.objections == ["price"])
            #expect(record.nextSteps == ["send the confirmation", "call back Tuesday"])
            #expect(record.leadScore == 82)
            #expect(
                record.talkTime
                    == .init(byParty: ["0": 52.3, "1": 61.4], ratio: 0.46, silenceSeconds: 9.5, overlapSeconds: 1.2))
            #expect(record.model == "gpt-4o-mini-2024-07-18")
            #expect(record.promptTokens == 1840)
            #expect(record.completionTokens == 212)
            #expect(record.createdAt == 1_769_861_010)

            let quiet = try #require(try await AnalysisRecords.load(pool, tenantID: tenant, callID: silent))
            #expect(quiet.talkTime.ratio == nil)
            #expect(quiet.talkTime.byParty.isEmpty)
            #expect(quiet.leadScore == 0)

            #expect(try await AnalysisRecords.load(pool, tenantID: other, callID: callID) == nil)
        }
    }

    @Test(
        "the ledger gives a tenant its own days within the range, oldest first; the operator's read names every tenant")
    func ledger() async throws {
        try await CallsTestDatabase.withPool { pool in
            // setup: two days in the range, one before it and one after it, and another tenant's day
            let tenant = try await CallsTestDatabase.tenant(pool)
            let other = try await CallsTestDatabase.tenant(pool)
            let idle = try await CallsTestDatabase.tenant(pool)
            for (day, seconds) in [
                ("2026-01-31", 60.5), ("2026-01-01", 30.0), ("2025-12-31", 999.0), ("2026-02-01", 999.0),
            ] {
                try await PipelineRows.usage(
                    pool, tenant: tenant, day: day, audioSeconds: seconds, transcriptions: 1, promptTokens: 100,
                    completionTokens: 10, analyses: 1)
            }
            try await PipelineRows.usage(
                pool, tenant: other, day: "2026-01-15", audioSeconds: 7, transcriptions: 2, promptTokens: 3,
                completionTokens: 4, analyses: 5)
            let from = try #require(CalendarDay("2026-01-01"))
            let to = try #require(CalendarDay("2026-01-31"))

            // MUT
            let days = try await UsageLedger.days(pool, tenantID: tenant, from: from, to: to)
            let all = try await UsageLedger.allTenants(pool, from: from, to: to)
            let only = try await UsageLedger.allTenants(pool, from: from, to: to, tenantID: other)

            // validate
            #expect(days.map(\.day) == ["2026-01-01", "2026-01-31"])
            #expect(days.map(\.audioSeconds) == [30, 60.5])
            #expect(UsageTotals(days).audioSeconds == 90.5)
            #expect(UsageTotals(days).promptTokens == 200)
            #expect(try await UsageLedger.days(pool, tenantID: idle, from: from, to: to).isEmpty)

            let byID = Dictionary(uniqueKeysWithValues: all.map { ($0.tenantID, $0) })
            #expect(byID[tenant]?.days.map(\.day) == ["2026-01-01", "2026-01-31"])
            #expect(byID[tenant]?.name == "Test tenant")
            #expect(
                byID[other]?.days
                    == [
                        UsageDay(
                            day: "2026-01-15", audioSeconds: 7, transcriptions: 2, promptTokens: 3, completionTokens: 4,
                            analyses: 5)
                    ])
            #expect(byID[idle]?.days == [], "a tenant without usage is listed with no days")
            #expect(only.map(\.tenantID) == [other])
            #expect(try await UsageLedger.allTenants(pool, from: from, to: to, tenantID: UUID().uuidString).isEmpty)
        }
    }

    @Test("one day across tenants: the most audio first, the sums over every tenant with usage, no other day")
    func day() async throws {
        try await CallsTestDatabase.withPool { pool in
            // setup: a day of this test's own (no other test writes so far ahead), three tenants
            // on it and one of them the day after
            let day = CalendarDay(daysSinceEpoch: 150_000 + Int.random(in: 0..<50_000))
            let next = CalendarDay(daysSinceEpoch: day.daysSinceEpoch + 1)
            var tenants: [String] = []
            for (seconds, tokens) in [(30.0, 5_000_000_000), (90.5, 7), (60.0, 11)] {
                let tenant = try await CallsTestDatabase.tenant(pool)
                tenants.append(tenant)
                try await PipelineRows.usage(
                    pool, tenant: tenant, day: day.description, audioSeconds: seconds, transcriptions: 2,
                    promptTokens: tokens, completionTokens: 3, analyses: 1)
            }
            try await PipelineRows.usage(
                pool, tenant: tenants[0], day: next.description, audioSeconds: 999, transcriptions: 9,
                promptTokens: 9, completionTokens: 9, analyses: 9)

            // MUT
            let usage = try await UsageLedger.day(pool, day: day, limit: 2)
            let empty = try await UsageLedger.day(pool, day: CalendarDay(daysSinceEpoch: 149_999), limit: 2)
            let none = try await UsageLedger.day(pool, day: day, limit: 0)

            // validate
            #expect(usage.day == day.description)
            #expect(usage.tenantsWithUsage == 3)
            #expect(usage.tenants.map(\.tenantID) == [tenants[1], tenants[2]], "the most audio first, at most 2")
            #expect(usage.tenants.first?.name == "Test tenant")
            #expect(usage.tenants.first?.usage.audioSeconds == 90.5)
            #expect(usage.totals.audioSeconds == 180.5, "every tenant's audio, the unlisted one's too")
            #expect(usage.totals.transcriptions == 6)
            #expect(usage.totals.promptTokens == 5_000_000_018, "token sums beyond 32 bits")
            #expect(usage.totals.completionTokens == 9)
            #expect(usage.totals.analyses == 3)
            #expect(empty.tenantsWithUsage == 0 && empty.tenants.isEmpty && empty.totals == UsageTotals())
            #expect(none.tenantsWithUsage == 3 && none.tenants.count == 1, "a limit below 1 lists one tenant")
        }
    }
}
