import Configuration
import OttoProcessKit
import OttoSupport

/// Twilio's account and auth token: otto-api verifies webhooks with them, the worker calls Twilio.
public struct TwilioCredentials: Sendable {
    /// `TWILIO_ACCOUNT_SID`: when set, a webhook naming another `AccountSid` is refused.
    public var accountSID: String?
    /// `TWILIO_AUTH_TOKEN`.
    public var authToken: Secret?

    public init(accountSID: String? = nil, authToken: Secret? = nil) {
        self.accountSID = accountSID
        self.authToken = authToken
    }

    /// Reads the Twilio keys.
    ///
    /// ## Configuration keys
    /// - `TWILIO_ACCOUNT_SID` (required when strict): `AC` followed by 32 hexadecimal digits.
    /// - `TWILIO_AUTH_TOKEN` (secret; required when strict): 32 hexadecimal digits.
    public init(config: ConfigReader, environment: AppEnvironment) throws(ConfigurationProblems) {
        var values = ConfigValues(config)
        self.init()
        let strict = environment.strictRequirement
        if let sid = values.value("TWILIO_ACCOUNT_SID", requiredBecause: strict) {
            if sid.count == 34, sid.hasPrefix("AC"), sid.dropFirst(2).allSatisfy(\.isHexDigit) {
                accountSID = sid
            } else {
                values.problem("TWILIO_ACCOUNT_SID", "must be AC followed by 32 hexadecimal digits")
            }
        }
        authToken = values.secret("TWILIO_AUTH_TOKEN", requiredBecause: strict)
        if let token = authToken, !(token.value.count == 32 && token.value.allSatisfy(\.isHexDigit)) {
            values.problem("TWILIO_AUTH_TOKEN", "must be 32 hexadecimal digits")
        }
        try values.finish()
    }
}
