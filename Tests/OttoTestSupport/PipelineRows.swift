import OttoCalls
import OttoPostgres

/// Rows of the pipeline's tables (migration 6) inserted with SQL in a tenant's scope, for the
/// tests of the read side (the reads, the tenant API, `tenants usage`), independent of the
/// pipeline's own writers. Times are fixed unix seconds so answers can be compared exactly.
public enum PipelineRows {
    /// Two utterances, one per channel, in `Transcript.Utterance`'s Codable form.
    public static let utterancesJSON = """
        [{"channel":0,"start":0.32,"end":2.9,"confidence":0.97,"text":"Thanks for calling, this is Dana."},\
        {"channel":1,"speaker":null,"start":3.1,"end":6.05,"confidence":0.94,"text":"Hi, I'd like to book a visit."}]
        """

    /// `{"by_party": {"0": 52.3, "1": 61.4}, "ratio": 0.46, …}`, the talk_time column's form.
    public static let talkTimeJSON = """
        {"by_party":{"0":52.3,"1":61.4},"ratio":0.46,"silence_seconds":9.5,"overlap_seconds":1.2}
        """

    /// A Twilio recording of the call; returns its id.
    public static func recording(_ pool: PostgresPool, tenant: String, callID: String) async throws -> String {
        try await TenantScope.transaction(pool, tenantID: tenant) { connection in
            try connection.query(
                """
                INSERT INTO recordings (tenant_id, call_id, provider, provider_recording_id, media_url, status,
                                        channels, duration_seconds)
                VALUES ($1::uuid, $2::uuid, 'twilio', $3, 'https://api.twilio.com/recording', 'completed', 2, 125)
                RETURNING id
                """, [tenant, callID, "RE\(callID.prefix(8))"]
            ).first!.decode(String.self, "id")
        }
    }

    public static func transcript(
        _ pool: PostgresPool, tenant: String, callID: String, recordingID: String? = nil, channels: Int = 2,
        durationSeconds: Double = 125.4, utterancesJSON: String = utterancesJSON, modelName: String? = "general-nova-3",
        requestID: String? = "req-1", createdAt: Double = 1_769_860_990, updatedAt: Double = 1_769_861_000
    ) async throws {
        try await TenantScope.transaction(pool, tenantID: tenant) { connection in
            _ = try connection.query(
                """
                INSERT INTO transcripts (call_id, tenant_id, recording_id, channels, duration_seconds, utterances,
                                         model, model_name, request_id, created_at, updated_at)
                VALUES ($1::uuid, $2::uuid, $3::uuid, $4::integer, $5::float8, $6::jsonb, 'nova-3', $7, $8,
                        to_timestamp($9::float8), to_timestamp($10::float8))
                """,
                [
                    callID, tenant, recordingID, channels, durationSeconds, utterancesJSON, modelName, requestID,
                    createdAt, updatedAt,
                ])
        }
    }

    public static func analysis(
        _ pool: PostgresPool, tenant: String, callID: String, sentiment: String = "positive",
        outcome: String = "appointment_booked", talkTimeJSON: String = talkTimeJSON, leadScore: Int = 82,
        createdAt: Double = 1_769_861_010, updatedAt: Double = 1_769_861_020
    ) async throws {
        try await TenantScope.transaction(pool, tenantID: tenant) { connection in
            _ = try connection.query(
                """
                INSERT INTO analyses (call_id, tenant_id, summary, sentiment, outcome, objections, next_steps,
                                      lead_score, talk_time, talk_time_ratio, silence_seconds, model, prompt_tokens,
                                      completion_tokens, created_at, updated_at)
                VALUES ($1::uuid, $2::uuid, 'The caller booked a visit.', $3, $4, '["price"]'::jsonb,
                        '["send the confirmation", "call back Tuesday"]'::jsonb, $5::integer, $6::jsonb,
                        ($6::jsonb ->> 'ratio')::float8, ($6::jsonb ->> 'silence_seconds')::float8,
                        'gpt-4o-mini-2024-07-18', 1840, 212, to_timestamp($7::float8), to_timestamp($8::float8))
                """, [callID, tenant, sentiment, outcome, leadScore, talkTimeJSON, createdAt, updatedAt])
        }
    }

    /// One day of the ledger (`day` as `YYYY-MM-DD`).
    public static func usage(
        _ pool: PostgresPool, tenant: String, day: String, audioSeconds: Double, transcriptions: Int,
        promptTokens: Int, completionTokens: Int, analyses: Int
    ) async throws {
        try await TenantScope.transaction(pool, tenantID: tenant) { connection in
            _ = try connection.query(
                """
                INSERT INTO usage_daily (tenant_id, day, audio_seconds, transcriptions, prompt_tokens,
                                         completion_tokens, analyses)
                VALUES ($1::uuid, $2::date, $3::float8, $4::integer, $5::bigint, $6::bigint, $7::integer)
                """, [tenant, day, audioSeconds, transcriptions, promptTokens, completionTokens, analyses])
        }
    }
}
