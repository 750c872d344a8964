import Configuration
import OttoCalls
import OttoProcessKit
import OttoSupport

/// The call pipeline's outbound limits and fairness, shared by every worker through Redis.
public struct PipelineConfiguration: Sendable, Equatable {
    /// One provider's limit: calls at once across all workers, and starts per period.
    public struct ProviderLimit: Sendable, Equatable {
        public var concurrency: Int
        /// Nil: no rate limit beyond the concurrency.
        public var rate: RateLimitRule?

        public init(concurrency: Int, rate: RateLimitRule? = nil) {
            self.concurrency = concurrency
            self.rate = rate
        }

        /// Starts per second, for the shared limiter.
        public var ratePerSecond: Double? { rate.map { Double($0.limit) / Double($0.periodSeconds) } }
    }

    public var deepgram: ProviderLimit
    public var openAI: ProviderLimit
    public var twilioMedia: ProviderLimit
    /// Workflows of one tenant in the queue at once (`PIPELINE_TENANT_CONCURRENCY`).
    public var tenantConcurrency: Int
    /// How long a queued or running workflow may go without moving before the sweep resumes it
    /// (`PIPELINE_SWEEP_AFTER`).
    public var sweepAfter: Duration = .seconds(600)

    public static let defaultDeepgramConcurrency = 20
    public static let defaultOpenAIConcurrency = 20
    public static let defaultTwilioMediaConcurrency = 20
    public static let defaultTenantConcurrency = 4

    public init(
        deepgram: ProviderLimit = ProviderLimit(concurrency: defaultDeepgramConcurrency),
        openAI: ProviderLimit = ProviderLimit(concurrency: defaultOpenAIConcurrency),
        twilioMedia: ProviderLimit = ProviderLimit(concurrency: defaultTwilioMediaConcurrency),
        tenantConcurrency: Int = defaultTenantConcurrency
    ) {
        self.deepgram = deepgram
        self.openAI = openAI
        self.twilioMedia = twilioMedia
        self.tenantConcurrency = tenantConcurrency
    }

    /// Reads the pipeline's keys.
    ///
    /// ## Configuration keys
    /// - `DEEPGRAM_CONCURRENCY`, `OPENAI_CONCURRENCY`, `TWILIO_MEDIA_CONCURRENCY` (optional,
    ///   default 20 each, 1 to 1000): requests to the provider at once, across all workers.
    /// - `DEEPGRAM_RATE_LIMIT`, `OPENAI_RATE_LIMIT`, `TWILIO_MEDIA_RATE_LIMIT` (optional, no
    ///   limit by default): requests started per period, `N/PERIOD` as `RATE_LIMIT_API`.
    /// - `PIPELINE_TENANT_CONCURRENCY` (optional, default 4, 1 to 1000): one tenant's calls in
    ///   the pipeline at once; the rest wait in the tenant's backlog, so one tenant's thousands
    ///   never delay another tenant's one.
    /// - `PIPELINE_SWEEP_AFTER` (optional, default 600 s, 5 to 86400): a queued or running
    ///   workflow that has not moved for this long, and holds no slot and waits for none, is
    ///   resumed at its first unfinished step (its task was lost: PostgreSQL is the source of truth).
    public init(config: ConfigReader) throws(ConfigurationProblems) {
        var values = ConfigValues(config)
        deepgram = values.providerLimit("DEEPGRAM", default: Self.defaultDeepgramConcurrency)
        openAI = values.providerLimit("OPENAI", default: Self.defaultOpenAIConcurrency)
        twilioMedia = values.providerLimit("TWILIO_MEDIA", default: Self.defaultTwilioMediaConcurrency)
        tenantConcurrency = values.integer(
            "PIPELINE_TENANT_CONCURRENCY", default: Self.defaultTenantConcurrency, range: 1...1000)
        sweepAfter = .seconds(values.integer("PIPELINE_SWEEP_AFTER", default: 600, range: 5...86_400))
        try values.finish()
    }
}

extension ConfigValues {
    /// `<PREFIX>_CONCURRENCY` and `<PREFIX>_RATE_LIMIT`.
    fileprivate mutating func providerLimit(_ prefix: String, default concurrency: Int)
        -> PipelineConfiguration.ProviderLimit
    {
        let count = integer("\(prefix)_CONCURRENCY", default: concurrency, range: 1...1000)
        var rate: RateLimitRule?
        if let text = raw("\(prefix)_RATE_LIMIT")?.trimmed {
            rate = RateLimitRule(parsing: text)
            if rate == nil { problem("\(prefix)_RATE_LIMIT", "must be N/PERIOD with s, m or h (e.g. 100/1m)") }
        }
        return .init(concurrency: count, rate: rate)
    }
}
