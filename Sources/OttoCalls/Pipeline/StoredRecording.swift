import OttoPostgres

/// A call's recording as `recordings` keeps it: what the fetch step reads to find the audio.
public struct StoredRecording: Sendable, Equatable {
    public var id: String
    public var tenantID: String
    public var callID: String
    public var provider: WebhookProvider
    /// Twilio's `RecordingSid`, or the CallRail call id (CallRail has no recording id of its own).
    public var providerRecordingID: String
    /// Twilio's `RecordingUrl` (without a media extension), or the CallRail API's recording
    /// link when the webhook carried one; nil when it is to be resolved through the provider's API.
    public var mediaURL: String?
    /// The provider's recording status (`completed`, `failed`, `absent`, …).
    public var status: String
    /// 1 or 2 when the provider said (Twilio's `RecordingChannels`).
    public var channels: Int?
    public var durationSeconds: Int?
    /// Unix seconds.
    public var receivedAt: Double

    public init(
        id: String, tenantID: String, callID: String, provider: WebhookProvider, providerRecordingID: String,
        mediaURL: String?, status: String, channels: Int?, durationSeconds: Int?, receivedAt: Double
    ) {
        self.id = id
        self.tenantID = tenantID
        self.callID = callID
        self.provider = provider
        self.providerRecordingID = providerRecordingID
        self.mediaURL = mediaURL
        self.status = status
        self.channels = channels
        self.durationSeconds = durationSeconds
        self.receivedAt = receivedAt
    }

    static let selectList = """
        id, tenant_id, call_id, provider, provider_recording_id, media_url, status, channels, duration_seconds,
        extract(epoch FROM received_at)::float8 AS received_at
        """

    init(row: PostgresRow) throws {
        let provider = try row.decode(String.self, "provider")
        guard let known = WebhookProvider(rawValue: provider) else {
            throw PostgresError(code: .decoding, reason: "unknown recording provider")
        }
        self.init(
            id: try row.decode(String.self, "id"), tenantID: try row.decode(String.self, "tenant_id"),
            callID: try row.decode(String.self, "call_id"), provider: known,
            providerRecordingID: try row.decode(String.self, "provider_recording_id"),
            mediaURL: try row.decode(String?.self, "media_url"), status: try row.decode(String.self, "status"),
            channels: try row.decode(Int?.self, "channels"),
            durationSeconds: try row.decode(Int?.self, "duration_seconds"),
            receivedAt: try row.decode(Double.self, "received_at"))
    }
}
