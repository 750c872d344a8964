import Configuration
import OttoProcessKit
import OttoSupport

/// The providers the worker's tasks call: Twilio, CallRail, Deepgram, OpenAI and Bland.
public struct ProviderCredentials: Sendable {
    public var twilio: TwilioCredentials
    /// `CALLRAIL_API_KEY`.
    public var callrailAPIKey: Secret?
    /// `DEEPGRAM_API_KEY`.
    public var deepgramAPIKey: Secret?
    /// `OPENAI_API_KEY`.
    public var openAIAPIKey: Secret?
    /// `BLAND_API_KEY`.
    public var blandAPIKey: Secret?

    public init(
        twilio: TwilioCredentials = TwilioCredentials(), callrailAPIKey: Secret? = nil, deepgramAPIKey: Secret? = nil,
        openAIAPIKey: Secret? = nil, blandAPIKey: Secret? = nil
    ) {
        self.twilio = twilio
        self.callrailAPIKey = callrailAPIKey
        self.deepgramAPIKey = deepgramAPIKey
        self.openAIAPIKey = openAIAPIKey
        self.blandAPIKey = blandAPIKey
    }

    /// Reads the providers' keys.
    ///
    /// ## Configuration keys
    /// - `TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN`: see ``TwilioCredentials``.
    /// - `CALLRAIL_API_KEY`, `DEEPGRAM_API_KEY`, `OPENAI_API_KEY`, `BLAND_API_KEY` (secrets; required when strict).
    public init(config: ConfigReader, environment: AppEnvironment) throws(ConfigurationProblems) {
        var values = ConfigValues(config)
        var problems: [ConfigurationError.Problem] = []
        twilio = ConfigurationProblems.collect(into: &problems, fallback: TwilioCredentials()) {
            () throws(ConfigurationProblems) in try TwilioCredentials(config: config, environment: environment)
        }
        let strict = environment.strictRequirement
        callrailAPIKey = values.secret("CALLRAIL_API_KEY", requiredBecause: strict)
        deepgramAPIKey = values.secret("DEEPGRAM_API_KEY", requiredBecause: strict)
        openAIAPIKey = values.secret("OPENAI_API_KEY", requiredBecause: strict)
        blandAPIKey = values.secret("BLAND_API_KEY", requiredBecause: strict)
        problems += values.problems
        guard problems.isEmpty else { throw ConfigurationProblems(problems) }
    }
}
