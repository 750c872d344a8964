/// The providers Otto's pipeline calls, as errors, logs and metrics name them.
public enum ProviderName: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    case deepgram
    case openAI = "openai"
    case twilio
    case callRail = "callrail"

    public var description: String { rawValue }
}
