import Configuration
import OttoCalls
import OttoProcessKit

/// otto-api's rate limits: `RATE_LIMIT_API`, `RATE_LIMIT_WEBHOOKS`, `RATE_LIMIT_FAIL_OPEN`.
public struct RateLimitConfiguration: Sendable, Equatable {
    /// The `/v1` limit per tenant (or client address when the credentials failed).
    public var api: RateLimitRule
    /// The webhook limit per tenant (or client address when verification failed).
    public var webhooks: RateLimitRule
    /// Whether a request is let through when Redis cannot decide.
    public var failOpen: Bool

    public init(
        api: RateLimitRule = RateLimitRule(limit: 600, periodSeconds: 60),
        webhooks: RateLimitRule = RateLimitRule(limit: 3000, periodSeconds: 60), failOpen: Bool = true
    ) {
        self.api = api
        self.webhooks = webhooks
        self.failOpen = failOpen
    }

    /// Reads the rate-limit keys.
    ///
    /// ## Configuration keys
    /// - `RATE_LIMIT_API` (optional, default `600/1m`), `RATE_LIMIT_WEBHOOKS` (optional, default
    ///   `3000/1m`): N per s, m or h, N from 1 to 1,000,000, a period of at most 24 h.
    /// - `RATE_LIMIT_FAIL_OPEN` (optional, default true).
    public init(config: ConfigReader) throws(ConfigurationProblems) {
        var values = ConfigValues(config)
        self.init()
        if let text = values.raw("RATE_LIMIT_API") {
            if let rule = RateLimitRule(parsing: text) {
                api = rule
            } else {
                values.problem("RATE_LIMIT_API", "must look like 600/1m (\(Self.bounds))")
            }
        }
        if let text = values.raw("RATE_LIMIT_WEBHOOKS") {
            if let rule = RateLimitRule(parsing: text) {
                webhooks = rule
            } else {
                values.problem("RATE_LIMIT_WEBHOOKS", "must look like 3000/1m (\(Self.bounds))")
            }
        }
        failOpen = values.bool("RATE_LIMIT_FAIL_OPEN", default: true)
        try values.finish()
    }

    static let bounds = "N per s, m or h; N from 1 to \(RateLimitRule.maximumLimit), a period of at most 24h"
}
