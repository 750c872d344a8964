/// The sums of a run of ``UsageDay``s (a report's `totals`).
public struct UsageTotals: Sendable, Hashable, Codable {
    public var audioSeconds: Double = 0
    public var transcriptions = 0
    public var promptTokens = 0
    public var completionTokens = 0
    public var analyses = 0

    public init(_ days: [UsageDay] = []) {
        for day in days {
            audioSeconds += day.audioSeconds
            transcriptions += day.transcriptions
            promptTokens += day.promptTokens
            completionTokens += day.completionTokens
            analyses += day.analyses
        }
    }

    enum CodingKeys: String, CodingKey {
        case transcriptions, analyses
        case audioSeconds = "audio_seconds"
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
    }
}
