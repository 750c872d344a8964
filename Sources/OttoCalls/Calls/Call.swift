import OttoPostgres

/// A call as the tenant API returns it (times as ISO 8601 UTC strings).
public struct Call: Codable, Sendable, Hashable {
    public var id: String
    public var provider: String
    public var providerCallID: String
    public var direction: String?
    public var fromNumber: String?
    public var toNumber: String?
    public var trackingNumber: String?
    public var status: String
    public var startedAt: String?
    public var endedAt: String?
    public var durationSeconds: Int?
    public var recordingURL: String?
    public var createdAt: String
    public var updatedAt: String
    /// The call's analysis workflow (`call_analysis`), when the API reads it (`GET /v1/calls/{id}`
    /// only); a `Call` from the database has none.
    public var workflow: CallWorkflow?

    enum CodingKeys: String, CodingKey {
        case id, provider, direction, status, workflow
        case providerCallID = "provider_call_id"
        case fromNumber = "from_number"
        case toNumber = "to_number"
        case trackingNumber = "tracking_number"
        case startedAt = "started_at"
        case endedAt = "ended_at"
        case durationSeconds = "duration_seconds"
        case recordingURL = "recording_url"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// The select list that produces a `Call` row (plus the cursor's sort key).
    static let selectList = """
        id, provider, provider_call_id, direction, from_number, to_number, tracking_number, status,
        \(iso("started_at")) AS started_at, \(iso("ended_at")) AS ended_at, duration_seconds, recording_url,
        \(iso("created_at")) AS created_at, \(iso("updated_at")) AS updated_at,
        coalesce(started_at, created_at)::text AS sort_key
        """

    static func iso(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    }

    init(row: PostgresRow) throws {
        id = try row.decode(String.self, "id")
        provider = try row.decode(String.self, "provider")
        providerCallID = try row.decode(String.self, "provider_call_id")
        direction = try row.decode(String?.self, "direction")
        fromNumber = try row.decode(String?.self, "from_number")
        toNumber = try row.decode(String?.self, "to_number")
        trackingNumber = try row.decode(String?.self, "tracking_number")
        status = try row.decode(String.self, "status")
        startedAt = try row.decode(String?.self, "started_at")
        endedAt = try row.decode(String?.self, "ended_at")
        durationSeconds = try row.decode(Int?.self, "duration_seconds")
        recordingURL = try row.decode(String?.self, "recording_url")
        createdAt = try row.decode(String.self, "created_at")
        updatedAt = try row.decode(String.self, "updated_at")
    }
}
