import Configuration
import OttoProcessKit
import OttoProviders
import OttoSupport

extension ProviderConfiguration {
    /// Reads where the worker's provider clients send their requests, with `credentials`' keys.
    ///
    /// ## Configuration keys
    /// - `DEEPGRAM_BASE_URL` (optional, default `https://api.deepgram.com`), `OPENAI_BASE_URL`
    ///   (default `https://api.openai.com`), `CALLRAIL_BASE_URL` (default `https://api.callrail.com`):
    ///   `http://` or `https://` and a host, no query, fragment or spaces; https when strict.
    /// - `DEEPGRAM_MODEL` (optional, default `nova-3`), `OPENAI_MODEL` (optional, default
    ///   ``OpenAIConfiguration/defaultModel``, which supports Structured Outputs): letters, digits,
    ///   `-`, `.`, `_` and `:`, at most 100.
    /// - `PROVIDER_REQUEST_TIMEOUT` (optional, default 300 s, 1 to 3600): how long one provider
    ///   request may wait for its answer.
    public init(
        config: ConfigReader, environment: AppEnvironment, credentials: ProviderCredentials
    ) throws(ConfigurationProblems) {
        var values = ConfigValues(config)
        let https = environment.isStrict
        let timeout = Duration.seconds(
            values.integer(
                "PROVIDER_REQUEST_TIMEOUT", default: Int(Self.defaultRequestTimeout.components.seconds),
                range: 1...3600))
        let deepgramURL = values.baseURL("DEEPGRAM_BASE_URL", default: DeepgramConfiguration.officialBaseURL, https)
        let openAIURL = values.baseURL("OPENAI_BASE_URL", default: OpenAIConfiguration.officialBaseURL, https)
        let callRailURL = values.baseURL("CALLRAIL_BASE_URL", default: CallRailConfiguration.officialBaseURL, https)
        let deepgramModel = values.modelName("DEEPGRAM_MODEL", default: DeepgramConfiguration.defaultModel)
        let openAIModel = values.modelName("OPENAI_MODEL", default: OpenAIConfiguration.defaultModel)
        try values.finish()
        self.init(
            deepgram: DeepgramConfiguration(
                baseURL: deepgramURL, model: deepgramModel, apiKey: credentials.deepgramAPIKey,
                requestTimeout: timeout),
            openAI: OpenAIConfiguration(
                baseURL: openAIURL, model: openAIModel, apiKey: credentials.openAIAPIKey, requestTimeout: timeout),
            twilioMedia: TwilioMediaConfiguration(
                accountSID: credentials.twilio.accountSID, authToken: credentials.twilio.authToken,
                requestTimeout: timeout),
            callRail: CallRailConfiguration(
                baseURL: callRailURL, apiKey: credentials.callrailAPIKey, requestTimeout: timeout))
    }
}

extension ConfigValues {
    /// A provider's base URL without its trailing slash, or `defaultValue` when unset.
    fileprivate mutating func baseURL(_ variable: String, default defaultValue: String, _ requireHTTPS: Bool)
        -> String
    {
        guard let text = raw(variable)?.trimmed else { return defaultValue }
        if let message = WebhookVerificationConfiguration.problemInBaseURL(text, requireHTTPS: requireHTTPS) {
            problem(variable, message)
            return defaultValue
        }
        var url = text
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// A model name: what goes into a query string or a JSON string unescaped.
    fileprivate mutating func modelName(_ variable: String, default defaultValue: String) -> String {
        guard let text = raw(variable)?.trimmed else { return defaultValue }
        let allowed =
            text.count <= 100 && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-._:".contains($0)) }
        guard allowed else {
            problem(variable, "must be a model name (letters, digits, '-', '.', '_' or ':', at most 100)")
            return defaultValue
        }
        return text
    }
}
