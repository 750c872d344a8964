import OttoSupport

/// Deepgram's pre-recorded API: `DEEPGRAM_BASE_URL`, `DEEPGRAM_MODEL`, `DEEPGRAM_API_KEY`.
public struct DeepgramConfiguration: Sendable, Equatable {
    public static let officialBaseURL = "https://api.deepgram.com"
    /// Deepgram's current general model.
    public static let defaultModel = "nova-3"

    /// Without a trailing slash.
    public var baseURL: String
    public var model: String
    public var apiKey: Secret?
    public var requestTimeout: Duration

    public init(
        baseURL: String = officialBaseURL, model: String = defaultModel, apiKey: Secret? = nil,
        requestTimeout: Duration = ProviderConfiguration.defaultRequestTimeout
    ) {
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
        self.requestTimeout = requestTimeout
    }
}
