import OttoPostgres

/// One addition to a tenant's ledger (`usage_daily`), written in the same transaction as the
/// result it pays for, so a stored transcript or analysis and its count never disagree.
///
/// The day is the database's UTC day of the transaction (`now()`), the same for every process
/// whatever its own clock or time zone. Each provider call that produced a stored result counts,
/// a re-run's too: the ledger counts what the providers billed, not the rows kept.
enum UsageIncrement {
    /// A transcription of `audioSeconds` (Deepgram's measured duration).
    case transcription(audioSeconds: Double)
    /// An analysis and the tokens its completion billed.
    case analysis(promptTokens: Int, completionTokens: Int)

    /// Adds the increment to the tenant's row for today; `connection` is in the tenant's scope.
    func apply(_ connection: PostgresConnection, tenantID: String) throws {
        let (audio, transcriptions, prompt, completion, analyses): (Double, Int, Int, Int, Int) =
            switch self {
            case .transcription(let seconds): (max(seconds.isFinite ? seconds : 0, 0), 1, 0, 0, 0)
            case .analysis(let prompt, let completion): (0, 0, max(prompt, 0), max(completion, 0), 1)
            }
        _ = try connection.query(
            """
            INSERT INTO usage_daily (tenant_id, day, audio_seconds, transcriptions, prompt_tokens,
                                     completion_tokens, analyses)
            VALUES ($1::uuid, (now() AT TIME ZONE 'UTC')::date, $2::float8, $3::integer, $4::bigint, $5::bigint,
                    $6::integer)
            ON CONFLICT (tenant_id, day) DO UPDATE SET
                audio_seconds = usage_daily.audio_seconds + EXCLUDED.audio_seconds,
                transcriptions = usage_daily.transcriptions + EXCLUDED.transcriptions,
                prompt_tokens = usage_daily.prompt_tokens + EXCLUDED.prompt_tokens,
                completion_tokens = usage_daily.completion_tokens + EXCLUDED.completion_tokens,
                analyses = usage_daily.analyses + EXCLUDED.analyses
            """, [tenantID, audio, transcriptions, prompt, completion, analyses])
    }
}
