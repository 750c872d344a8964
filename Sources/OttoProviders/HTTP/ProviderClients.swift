/// The four provider clients over one shared ``ProviderHTTPClient``: what the pipeline's tasks
/// are given.
public struct ProviderClients: Sendable {
    public let http: ProviderHTTPClient
    public let deepgram: DeepgramClient
    public let openAI: OpenAIClient
    public let twilioMedia: TwilioMediaClient
    public let callRail: CallRailClient

    public init(configuration: ProviderConfiguration, http: ProviderHTTPClient) {
        self.http = http
        deepgram = DeepgramClient(configuration: configuration.deepgram, http: http)
        openAI = OpenAIClient(configuration: configuration.openAI, http: http)
        twilioMedia = TwilioMediaClient(configuration: configuration.twilioMedia, http: http)
        callRail = CallRailClient(configuration: configuration.callRail, http: http)
    }
}
