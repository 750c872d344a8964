import OttoPostgres

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A call's stored analysis (`analyses`, one row per call), as `GET /v1/calls/{id}/analysis`
/// serves it.
public struct AnalysisRecord: Sendable, Equatable {
    /// The talk-time figures computed from the utterances, as the `talk_time` column holds them
    /// (`{"by_party": {"0": s, …}, "ratio": x | null, "silence_seconds": s, "overlap_seconds": s}`).
    public struct TalkTime: Sendable, Equatable, Codable {
        /// Seconds spoken per party (the channel or the diarised speaker), keyed by its number.
        public var byParty: [String: Double]
        /// Nil when no one spoke.
        public var ratio: Double?
        public var silenceSeconds: Double
        public var overlapSeconds: Double

        public init(byParty: [String: Double], ratio: Double?, silenceSeconds: Double, overlapSeconds: Double) {
            self.byParty = byParty
            self.ratio = ratio
            self.silenceSeconds = silenceSeconds
            self.overlapSeconds = overlapSeconds
        }

        enum CodingKeys: String, CodingKey {
            case ratio
            case byParty = "by_party"
            case silenceSeconds = "silence_seconds"
            case overlapSeconds = "overlap_seconds"
        }
    }

    public var callID: String
    public var summary: String
    /// positive, neutral, negative or mixed.
    public var sentiment: String
    /// sale, appointment_booked, follow_up, not_interested, information_only, voicemail or other.
    public var outcome: String
    public var objections: [String]
    public var nextSteps: [String]
    /// 0 to 100.
    public var leadScore: Int
    public var talkTime: TalkTime
    /// The model OpenAI says it ran.
    public var model: String
    public var promptTokens: Int
    public var completionTokens: Int
    /// Unix seconds.
    public var createdAt: Double
    public var updatedAt: Double

    static let selectList = """
        call_id, summary, sentiment, outcome, objections::text AS objections, next_steps::text AS next_steps,
        lead_score, talk_time::text AS talk_time, model, prompt_tokens, completion_tokens,
        extract(epoch FROM created_at)::float8 AS created_at,
        extract(epoch FROM updated_at)::float8 AS updated_at
        """

    init(row: PostgresRow) throws {
        func json<T: Decodable>(_ type: T.Type, _ column: String) throws -> T {
            try JSONDecoder().decode(type, from: Data(try row.decode(String.self, column).utf8))
        }
        callID = try row.decode(String.self, "call_id")
        summary = try row.decode(String.self, "summary")
        sentiment = try row.decode(String.self, "sentiment")
        outcome = try row.decode(String.self, "outcome")
        objections = try json([String].self, "objections")
        nextSteps = try json([String].self, "next_steps")
        leadScore = try row.decode(Int.self, "lead_score")
        talkTime = try json(TalkTime.self, "talk_time")
        model = try row.decode(String.self, "model")
        promptTokens = try row.decode(Int.self, "prompt_tokens")
        completionTokens = try row.decode(Int.self, "completion_tokens")
        createdAt = try row.decode(Double.self, "created_at")
        updatedAt = try row.decode(Double.self, "updated_at")
    }
}
