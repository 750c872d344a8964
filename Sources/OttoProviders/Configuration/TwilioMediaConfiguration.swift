import OttoSupport

/// Twilio recording media: the account's credentials for HTTP Basic auth on media URLs
/// (`TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN`). The media URL itself comes with each recording.
public struct TwilioMediaConfiguration: Sendable, Equatable {
    public var accountSID: String?
    public var authToken: Secret?
    public var requestTimeout: Duration

    public init(
        accountSID: String? = nil, authToken: Secret? = nil,
        requestTimeout: Duration = ProviderConfiguration.defaultRequestTimeout
    ) {
        self.accountSID = accountSID
        self.authToken = authToken
        self.requestTimeout = requestTimeout
    }
}
