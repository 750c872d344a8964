import OttoPostgres

/// One tenant's row of the usage ledger (`usage_daily`): what the pipeline spent on one UTC day.
public struct UsageDay: Sendable, Hashable, Codable {
    /// `YYYY-MM-DD`, a UTC day.
    public var day: String
    /// Audio transcribed, as Deepgram measured it.
    public var audioSeconds: Double
    public var transcriptions: Int
    public var promptTokens: Int
    public var completionTokens: Int
    public var analyses: Int

    public init(
        day: String, audioSeconds: Double, transcriptions: Int, promptTokens: Int, completionTokens: Int,
        analyses: Int
    ) {
        self.day = day
        self.audioSeconds = audioSeconds
        self.transcriptions = transcriptions
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.analyses = analyses
    }

    enum CodingKeys: String, CodingKey {
        case day, transcriptions, analyses
        case audioSeconds = "audio_seconds"
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
    }

    /// The columns that produce a `UsageDay` from `usage_daily`.
    static let selectList = """
        to_char(day, 'YYYY-MM-DD') AS day, audio_seconds, transcriptions, prompt_tokens, completion_tokens, analyses
        """

    init(row: PostgresRow) throws {
        day = try row.decode(String.self, "day")
        audioSeconds = try row.decode(Double.self, "audio_seconds")
        transcriptions = try row.decode(Int.self, "transcriptions")
        promptTokens = try row.decode(Int.self, "prompt_tokens")
        completionTokens = try row.decode(Int.self, "completion_tokens")
        analyses = try row.decode(Int.self, "analyses")
    }
}
