import OttoPostgres
import OttoProviders

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `analyses`: a call's analysis, one row per call, written by the analyse step.
public struct AnalysisStore: Sendable {
    let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Stores the call's analysis with the talk-time figures computed from its transcript,
    /// replacing the one a previous run stored (never a second row), and adds the completion's
    /// tokens and one analysis to the tenant's ledger, in one transaction.
    public func save(
        tenantID: String, callID: String, analysis: CallAnalysis, talkTime: TalkTime, model: String,
        usage: TokenUsage
    ) async throws {
        let encoder = JSONEncoder()
        let objections = String(decoding: try encoder.encode(analysis.objections), as: UTF8.self)
        let nextSteps = String(decoding: try encoder.encode(analysis.nextSteps), as: UTF8.self)
        let talk = String(decoding: try encoder.encode(talkTime), as: UTF8.self)
        try await TenantScope.transaction(pool, tenantID: tenantID) { connection in
            _ = try connection.query(
                """
                INSERT INTO analyses (call_id, tenant_id, summary, sentiment, outcome, objections, next_steps,
                                      lead_score, talk_time, talk_time_ratio, silence_seconds, model,
                                      prompt_tokens, completion_tokens)
                VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6::jsonb, $7::jsonb, $8::integer, $9::jsonb, $10::float8,
                        $11::float8, $12, $13::integer, $14::integer)
                ON CONFLICT (call_id) DO UPDATE SET
                    summary = EXCLUDED.summary, sentiment = EXCLUDED.sentiment, outcome = EXCLUDED.outcome,
                    objections = EXCLUDED.objections, next_steps = EXCLUDED.next_steps,
                    lead_score = EXCLUDED.lead_score, talk_time = EXCLUDED.talk_time,
                    talk_time_ratio = EXCLUDED.talk_time_ratio, silence_seconds = EXCLUDED.silence_seconds,
                    model = EXCLUDED.model, prompt_tokens = EXCLUDED.prompt_tokens,
                    completion_tokens = EXCLUDED.completion_tokens, updated_at = now()
                """,
                [
                    callID, tenantID, analysis.summary, analysis.sentiment.rawValue, analysis.outcome.rawValue,
                    objections, nextSteps, analysis.leadScore, talk, talkTime.ratio, talkTime.silenceSeconds,
                    model, usage.promptTokens, usage.completionTokens,
                ])
            try UsageIncrement.analysis(promptTokens: usage.promptTokens, completionTokens: usage.completionTokens)
                .apply(connection, tenantID: tenantID)
        }
    }
}
