import Foundation
import OttoPostgres
import OttoProviders
import Testing

@testable import OttoCalls

/// The transcribe and analyse steps' stores and the per-tenant ledger they write.
@Suite("Transcript and analysis stores")
struct ResultStoreTests {
    static func transcript(duration: Double, text: String = "hello") -> Transcript {
        Transcript(
            utterances: [
                .init(channel: 0, speaker: nil, start: 0, end: 4, confidence: 0.9, text: text),
                .init(channel: 1, speaker: nil, start: 5, end: 7, confidence: 0.8, text: "hi"),
            ], durationSeconds: duration, model: "nova-3", modelName: "2-general-nova", requestID: "req-1")
    }

    static let analysis = CallAnalysis(
        summary: "A caller asked about prices.", sentiment: .positive, outcome: .followUp,
        objections: ["price"], nextSteps: ["send a quote"], leadScore: 70)

    /// The tenant's ledger row for today (UTC), or nil.
    static func today(_ pool: PostgresPool, tenant: String) async throws -> PostgresRow? {
        try await PipelineTestSupport.row(
            pool, tenant: tenant,
            """
            SELECT audio_seconds, transcriptions, prompt_tokens, completion_tokens, analyses FROM usage_daily
            WHERE day = (now() AT TIME ZONE 'UTC')::date
            """)
    }

    @Test("a second transcript of a call replaces the first, and the ledger counts both transcriptions")
    func transcriptReplaces() async throws {
        try await CallsTestDatabase.withPool { pool in
            let tenant = try await CallsTestDatabase.tenant(pool)
            let call = try await PipelineTestSupport.call(pool, tenant: tenant)
            let store = TranscriptStore(pool: pool)
            // MUT: the first run, then a re-run with a different transcript
            try await store.save(
                tenantID: tenant, callID: call, recordingID: nil, channels: 2,
                transcript: Self.transcript(duration: 30.5))
            try await store.save(
                tenantID: tenant, callID: call, recordingID: nil, channels: 1,
                transcript: Self.transcript(duration: 12, text: "again"))
            // validate
            #expect(
                try await PipelineTestSupport.count(pool, tenant: tenant, "SELECT count(*) AS n FROM transcripts") == 1)
            let row = try #require(
                try await PipelineTestSupport.row(
                    pool, tenant: tenant,
                    "SELECT channels, duration_seconds, utterances->0->>'text' AS first, model, model_name, request_id FROM transcripts"
                ))
            #expect(row["channels"] == "1")
            #expect(row["duration_seconds"] == "12")
            #expect(row["first"] == "again")
            #expect(row["model"] == "nova-3")
            #expect(row["model_name"] == "2-general-nova")
            #expect(row["request_id"] == "req-1")
            let ledger = try #require(try await Self.today(pool, tenant: tenant))
            #expect(ledger["audio_seconds"] == "42.5")
            #expect(ledger["transcriptions"] == "2")
            #expect(ledger["analyses"] == "0")
        }
    }

    @Test("the stored utterances decode back to the transcript's")
    func utterancesRoundTrip() async throws {
        try await CallsTestDatabase.withPool { pool in
            let tenant = try await CallsTestDatabase.tenant(pool)
            let call = try await PipelineTestSupport.call(pool, tenant: tenant)
            let transcript = Self.transcript(duration: 9)
            try await TranscriptStore(pool: pool).save(
                tenantID: tenant, callID: call, recordingID: nil, channels: 2, transcript: transcript)
            let text = try #require(
                try await PipelineTestSupport.row(
                    pool, tenant: tenant, "SELECT utterances::text AS u FROM transcripts")?[
                        "u"])
            let decoded = try JSONDecoder().decode([Transcript.Utterance].self, from: Data(text.utf8))
            #expect(decoded == transcript.utterances)
        }
    }

    @Test("a second analysis of a call replaces the first, and the ledger adds up its tokens")
    func analysisReplaces() async throws {
        try await CallsTestDatabase.withPool { pool in
            let tenant = try await CallsTestDatabase.tenant(pool)
            let call = try await PipelineTestSupport.call(pool, tenant: tenant)
            let store = AnalysisStore(pool: pool)
            let talk = TalkTime(Self.transcript(duration: 10))
            try await store.save(
                tenantID: tenant, callID: call, analysis: Self.analysis, talkTime: talk, model: "gpt-a",
                usage: TokenUsage(promptTokens: 1000, completionTokens: 200))
            var second = Self.analysis
            second.summary = "Re-run."
            second.leadScore = 15
            try await store.save(
                tenantID: tenant, callID: call, analysis: second, talkTime: talk, model: "gpt-b",
                usage: TokenUsage(promptTokens: 900, completionTokens: 100))
            #expect(
                try await PipelineTestSupport.count(pool, tenant: tenant, "SELECT count(*) AS n FROM analyses") == 1)
            let row = try #require(
                try await PipelineTestSupport.row(
                    pool, tenant: tenant,
                    """
                    SELECT summary, sentiment, outcome, objections->>0 AS objection, next_steps->>0 AS next,
                           lead_score, talk_time_ratio, silence_seconds, talk_time->>'overlap_seconds' AS overlap,
                           model, prompt_tokens, completion_tokens FROM analyses
                    """))
            #expect(row["summary"] == "Re-run.")
            #expect(row["sentiment"] == "positive")
            #expect(row["outcome"] == "follow_up")
            #expect(row["objection"] == "price")
            #expect(row["next"] == "send a quote")
            #expect(row["lead_score"] == "15")
            #expect(row["talk_time_ratio"].flatMap(Double.init) == talk.ratio)  // 4 of 6 spoken seconds
            #expect(row["silence_seconds"] == "4")
            #expect(row["overlap"] == "0")
            #expect(row["model"] == "gpt-b")
            #expect(row["prompt_tokens"] == "900")
            #expect(row["completion_tokens"] == "100")
            let ledger = try #require(try await Self.today(pool, tenant: tenant))
            #expect(ledger["prompt_tokens"] == "1900")
            #expect(ledger["completion_tokens"] == "300")
            #expect(ledger["analyses"] == "2")
            #expect(ledger["transcriptions"] == "0")
        }
    }

    @Test("the ledger keeps one row per tenant and day: other tenants and other days are untouched")
    func ledgerPerTenantAndDay() async throws {
        try await CallsTestDatabase.withPool { pool in
            let tenantA = try await CallsTestDatabase.tenant(pool)
            let tenantB = try await CallsTestDatabase.tenant(pool)
            let callA = try await PipelineTestSupport.call(pool, tenant: tenantA)
            let callB = try await PipelineTestSupport.call(pool, tenant: tenantB)
            // setup: A's row of yesterday
            _ = try await TenantScope.transaction(pool, tenantID: tenantA) { connection in
                try connection.query(
                    """
                    INSERT INTO usage_daily (tenant_id, day, audio_seconds, transcriptions)
                    VALUES ($1::uuid, (now() AT TIME ZONE 'UTC')::date - 1, 100, 5)
                    """, [tenantA])
            }
            // MUT
            let store = TranscriptStore(pool: pool)
            try await store.save(
                tenantID: tenantA, callID: callA, recordingID: nil, channels: 2,
                transcript: Self.transcript(duration: 20))
            try await store.save(
                tenantID: tenantB, callID: callB, recordingID: nil, channels: 2,
                transcript: Self.transcript(duration: 7))
            try await AnalysisStore(pool: pool).save(
                tenantID: tenantA, callID: callA, analysis: Self.analysis,
                talkTime: TalkTime(Self.transcript(duration: 20)),
                model: "gpt-a", usage: TokenUsage(promptTokens: 10, completionTokens: 5))
            // validate: A has yesterday's row untouched and today's with both results; B its own
            #expect(
                try await PipelineTestSupport.count(pool, tenant: tenantA, "SELECT count(*) AS n FROM usage_daily") == 2
            )
            let yesterday = try #require(
                try await PipelineTestSupport.row(
                    pool, tenant: tenantA,
                    "SELECT audio_seconds, transcriptions FROM usage_daily WHERE day < (now() AT TIME ZONE 'UTC')::date"
                ))
            #expect(yesterday["audio_seconds"] == "100")
            #expect(yesterday["transcriptions"] == "5")
            let todayA = try #require(try await Self.today(pool, tenant: tenantA))
            #expect(todayA["audio_seconds"] == "20")
            #expect(todayA["transcriptions"] == "1")
            #expect(todayA["analyses"] == "1")
            #expect(todayA["prompt_tokens"] == "10")
            #expect(
                try await PipelineTestSupport.count(pool, tenant: tenantB, "SELECT count(*) AS n FROM usage_daily") == 1
            )
            let todayB = try #require(try await Self.today(pool, tenant: tenantB))
            #expect(todayB["audio_seconds"] == "7")
            #expect(todayB["analyses"] == "0")
            // B's scope reaches neither A's transcript nor A's analysis.
            let (transcripts, analyses) = try await TenantScope.transaction(pool, tenantID: tenantB) { connection in
                (
                    try connection.query("UPDATE transcripts SET model = 'x' WHERE call_id = $1::uuid", [callA])
                        .affectedRows,
                    try connection.query("SELECT count(*) AS n FROM analyses").first!.decode(Int.self, "n")
                )
            }
            #expect(transcripts == 0)
            #expect(analyses == 0)
        }
    }
}
