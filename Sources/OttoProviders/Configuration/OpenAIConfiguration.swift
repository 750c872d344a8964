import OttoSupport

/// OpenAI's chat completions: `OPENAI_BASE_URL`, `OPENAI_MODEL`, `OPENAI_API_KEY`.
public struct OpenAIConfiguration: Sendable, Equatable {
    public static let officialBaseURL = "https://api.openai.com"
    /// A current model with Structured Outputs (`json_schema` with `strict: true`).
    public static let defaultModel = "gpt-4.1-mini"

    /// Without a trailing slash.
    public var baseURL: String
    public var model: String
    public var apiKey: Secret?
    public var requestTimeout: Duration
    /// The answer's token budget (`max_completion_tokens`): an answer cut at it is a failure
    /// (finish_reason "length"), never a half analysis.
    public var maximumCompletionTokens: Int

    public init(
        baseURL: String = officialBaseURL, model: String = defaultModel, apiKey: Secret? = nil,
        requestTimeout: Duration = ProviderConfiguration.defaultRequestTimeout, maximumCompletionTokens: Int = 2048
    ) {
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
        self.requestTimeout = requestTimeout
        self.maximumCompletionTokens = maximumCompletionTokens
    }
}
