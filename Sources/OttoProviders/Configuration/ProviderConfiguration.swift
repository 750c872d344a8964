import OttoSupport

/// Where the provider clients send their requests, with which keys and models, and how long
/// a request may take. Plain values: otto-worker reads them from its environment
/// (OttoCore's `ProviderConfiguration+Environment`), tests build them for the stand-ins.
public struct ProviderConfiguration: Sendable, Equatable {
    public var deepgram: DeepgramConfiguration
    public var openAI: OpenAIConfiguration
    public var twilioMedia: TwilioMediaConfiguration
    public var callRail: CallRailConfiguration

    /// The default request timeout (`PROVIDER_REQUEST_TIMEOUT`): long enough for Deepgram to
    /// transcribe an hour of audio.
    public static let defaultRequestTimeout: Duration = .seconds(300)

    public init(
        deepgram: DeepgramConfiguration = DeepgramConfiguration(),
        openAI: OpenAIConfiguration = OpenAIConfiguration(),
        twilioMedia: TwilioMediaConfiguration = TwilioMediaConfiguration(),
        callRail: CallRailConfiguration = CallRailConfiguration()
    ) {
        self.deepgram = deepgram
        self.openAI = openAI
        self.twilioMedia = twilioMedia
        self.callRail = callRail
    }
}
