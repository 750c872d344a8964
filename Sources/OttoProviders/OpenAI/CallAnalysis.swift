/// The analysis of a call the model writes under ``schema`` (issue 13, item 3): what the
/// pipeline stores next to the talk-time figures it computes itself.
public struct CallAnalysis: Sendable, Equatable, Codable {
    public enum Sentiment: String, Sendable, Equatable, Codable, CaseIterable {
        case positive, neutral, negative, mixed
    }

    public enum Outcome: String, Sendable, Equatable, Codable, CaseIterable {
        case sale
        case appointmentBooked = "appointment_booked"
        case followUp = "follow_up"
        case notInterested = "not_interested"
        case informationOnly = "information_only"
        case voicemail
        case other
    }

    public var summary: String
    public var sentiment: Sentiment
    public var outcome: Outcome
    public var objections: [String]
    public var nextSteps: [String]
    /// 0 (no prospect) to 100 (ready to buy).
    public var leadScore: Int

    public static let leadScoreRange = 0...100

    public init(
        summary: String, sentiment: Sentiment, outcome: Outcome, objections: [String], nextSteps: [String],
        leadScore: Int
    ) {
        self.summary = summary
        self.sentiment = sentiment
        self.outcome = outcome
        self.objections = objections
        self.nextSteps = nextSteps
        self.leadScore = leadScore
    }

    enum CodingKeys: String, CodingKey {
        case summary, sentiment, outcome, objections
        case nextSteps = "next_steps"
        case leadScore = "lead_score"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        summary = try container.decode(String.self, forKey: .summary)
        sentiment = try container.decode(Sentiment.self, forKey: .sentiment)
        outcome = try container.decode(Outcome.self, forKey: .outcome)
        objections = try container.decode([String].self, forKey: .objections)
        nextSteps = try container.decode([String].self, forKey: .nextSteps)
        leadScore = try container.decode(Int.self, forKey: .leadScore)
        // The schema bounds it; a model that ignores the bound wrote something else.
        guard Self.leadScoreRange.contains(leadScore) else {
            throw DecodingError.dataCorruptedError(
                forKey: .leadScore, in: container, debugDescription: "lead_score is outside 0...100")
        }
    }

    /// The name the schema is sent under (`response_format.json_schema.name`).
    public static let schemaName = "call_analysis"

    /// The strict schema of the answer.
    public static let schema = JSONSchema.object(
        [
            .init(
                "summary", .string(description: "Two to four sentences on what the call was about and how it ended.")),
            .init(
                "sentiment",
                .string(description: "The caller's overall sentiment.", oneOf: Sentiment.allCases.map(\.rawValue))),
            .init("outcome", .string(description: "How the call ended.", oneOf: Outcome.allCases.map(\.rawValue))),
            .init("objections", .array(of: .string(), description: "The caller's objections, each in a few words.")),
            .init("next_steps", .array(of: .string(), description: "What was agreed to happen next.")),
            .init(
                "lead_score",
                .integer(
                    minimum: leadScoreRange.lowerBound, maximum: leadScoreRange.upperBound,
                    description: "How likely the caller is to buy, 0 to 100.")),
        ])
}
