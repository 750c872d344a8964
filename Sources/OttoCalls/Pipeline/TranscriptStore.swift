import OttoPostgres
import OttoProviders

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `transcripts`: a call's transcript, one row per call, written by the transcribe step.
public struct TranscriptStore: Sendable {
    let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Stores the call's transcript, replacing the one a previous run stored (never a second
    /// row), and adds its audio seconds and one transcription to the tenant's ledger, in one
    /// transaction. `channels` is 2 for a dual-channel recording, 1 otherwise.
    public func save(
        tenantID: String, callID: String, recordingID: String?, channels: Int, transcript: Transcript
    ) async throws {
        let utterances = String(decoding: try JSONEncoder().encode(transcript.utterances), as: UTF8.self)
        try await TenantScope.transaction(pool, tenantID: tenantID) { connection in
            _ = try connection.query(
                """
                INSERT INTO transcripts (call_id, tenant_id, recording_id, channels, duration_seconds, utterances,
                                         model, model_name, request_id)
                VALUES ($1::uuid, $2::uuid, $3::uuid, $4::integer, $5::float8, $6::jsonb, $7, $8, $9)
                ON CONFLICT (call_id) DO UPDATE SET
                    recording_id = EXCLUDED.recording_id, channels = EXCLUDED.channels,
                    duration_seconds = EXCLUDED.duration_seconds, utterances = EXCLUDED.utterances,
                    model = EXCLUDED.model, model_name = EXCLUDED.model_name, request_id = EXCLUDED.request_id,
                    updated_at = now()
                """,
                [
                    callID, tenantID, recordingID, channels, transcript.durationSeconds, utterances,
                    transcript.model, transcript.modelName, transcript.requestID,
                ])
            try UsageIncrement.transcription(audioSeconds: transcript.durationSeconds)
                .apply(connection, tenantID: tenantID)
        }
    }
}
