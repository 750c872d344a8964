import OttoSupport

/// CallRail's API v3: `CALLRAIL_BASE_URL`, `CALLRAIL_API_KEY`.
public struct CallRailConfiguration: Sendable, Equatable {
    public static let officialBaseURL = "https://api.callrail.com"

    /// Without a trailing slash.
    public var baseURL: String
    public var apiKey: Secret?
    public var requestTimeout: Duration

    public init(
        baseURL: String = officialBaseURL, apiKey: Secret? = nil,
        requestTimeout: Duration = ProviderConfiguration.defaultRequestTimeout
    ) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.requestTimeout = requestTimeout
    }
}
