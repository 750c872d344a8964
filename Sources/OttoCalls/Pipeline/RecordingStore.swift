import OttoPostgres

/// `recordings`: a call's recordings, once per (tenant, provider, provider recording id).
public struct RecordingStore: Sendable {
    let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// The status that starts the pipeline.
    public static let completed = "completed"

    /// What ``attach(_:tenantID:callID:provider:providerRecordingID:mediaURL:status:channels:durationSeconds:)``
    /// did: the row's id, and whether this attachment completed the recording (it was new as a
    /// completed recording; a repeat of a completed one is not).
    struct Attachment: Sendable, Equatable {
        var id: String
        var completedNow: Bool
    }

    /// Inserts the recording or updates the one already stored under its provider id, and
    /// returns its id. `connection` is in the tenant's scope.
    ///
    /// Updates merge like calls do: a completed recording stays completed (a late `in-progress`
    /// never undoes it), and a known URL, channel count or duration is kept when the update
    /// lacks one.
    @discardableResult
    public static func attach(
        _ connection: PostgresConnection, tenantID: String, callID: String, provider: WebhookProvider,
        providerRecordingID: String, mediaURL: String?, status: String, channels: Int?, durationSeconds: Int?
    ) throws -> String {
        try upsert(
            connection, tenantID: tenantID, callID: callID, provider: provider,
            providerRecordingID: providerRecordingID, mediaURL: mediaURL, status: status, channels: channels,
            durationSeconds: durationSeconds
        ).id
    }

    /// ``attach(_:tenantID:callID:provider:providerRecordingID:mediaURL:status:channels:durationSeconds:)``,
    /// saying whether the recording became completed just now.
    ///
    /// The previous status is read with `FOR UPDATE` before the upsert. Webhook processing upserts
    /// the call first, in the same transaction, which locks the call's row until the commit, so two
    /// deliveries of one call's recording (a repeat, the sweep's copy) never both see it new.
    static func upsert(
        _ connection: PostgresConnection, tenantID: String, callID: String, provider: WebhookProvider,
        providerRecordingID: String, mediaURL: String?, status: String, channels: Int?, durationSeconds: Int?
    ) throws -> Attachment {
        let previous = try connection.query(
            """
            SELECT status FROM recordings
            WHERE tenant_id = $1::uuid AND provider = $2 AND provider_recording_id = $3 FOR UPDATE
            """, [tenantID, provider.rawValue, providerRecordingID]
        ).first.map { try $0.decode(String.self, "status") }
        let rows = try connection.query(
            """
            INSERT INTO recordings (tenant_id, call_id, provider, provider_recording_id, media_url, status, channels,
                                    duration_seconds)
            VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7::integer, $8::integer)
            ON CONFLICT (tenant_id, provider, provider_recording_id) DO UPDATE SET
                media_url = coalesce(EXCLUDED.media_url, recordings.media_url),
                status = CASE WHEN recordings.status = '\(completed)' THEN recordings.status ELSE EXCLUDED.status END,
                channels = coalesce(EXCLUDED.channels, recordings.channels),
                duration_seconds = coalesce(EXCLUDED.duration_seconds, recordings.duration_seconds),
                updated_at = now()
            RETURNING id, status
            """,
            [
                tenantID, callID, provider.rawValue, providerRecordingID, mediaURL, status, channels,
                durationSeconds,
            ])
        guard let row = rows.first else {
            throw PostgresError(code: .queryFailed, reason: "the recording upsert returned no row")
        }
        let now = try row.decode(String.self, "status")
        return Attachment(
            id: try row.decode(String.self, "id"), completedNow: now == completed && previous != completed)
    }

    /// The recording with `recordingID` in this tenant, or nil (another tenant's is nil too).
    public func load(tenantID: String, recordingID: String) async throws -> StoredRecording? {
        guard UUIDText.isValid(recordingID) else { return nil }
        return try await TenantScope.transaction(pool, tenantID: tenantID) { connection in
            try Self.load(connection, recordingID: recordingID)
        }
    }

    /// The recording with `recordingID`, read through `connection` (in the tenant's scope).
    public static func load(_ connection: PostgresConnection, recordingID: String) throws -> StoredRecording? {
        guard UUIDText.isValid(recordingID) else { return nil }
        return try connection.query(
            "SELECT \(StoredRecording.selectList) FROM recordings WHERE id = $1::uuid", [recordingID]
        ).first.map { try StoredRecording(row: $0) }
    }
}
