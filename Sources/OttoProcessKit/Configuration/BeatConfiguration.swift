import Configuration

/// The beat's schedules and lease (`ENABLE_CELERY_BEAT=true`).
public struct BeatConfiguration: Sendable, Equatable {
    /// `BEAT_LEASE_TTL` in seconds: the leader lease, renewed every third of it.
    public var leaseTTL: Int
    /// `BEAT_CATCHUP_WINDOW` in seconds: missed ticks this recent run one by one.
    public var catchupWindow: Int
    /// `BEAT_CANARY_INTERVAL` in seconds; 0 turns the canary off.
    public var canaryInterval: Int
    /// `WEBHOOK_RETENTION_DAYS`: the daily cleanup deletes webhook events older than this.
    public var webhookRetentionDays: Int
    /// `WEBHOOK_SWEEP_DEADLINE` in seconds.
    public var webhookSweepDeadline: Int

    public static let defaultWebhookSweepDeadline = 300

    public init(
        leaseTTL: Int = 5, catchupWindow: Int = 600, canaryInterval: Int = 60, webhookRetentionDays: Int = 30,
        webhookSweepDeadline: Int = defaultWebhookSweepDeadline
    ) {
        self.leaseTTL = leaseTTL
        self.catchupWindow = catchupWindow
        self.canaryInterval = canaryInterval
        self.webhookRetentionDays = webhookRetentionDays
        self.webhookSweepDeadline = webhookSweepDeadline
    }

    /// Reads the beat's keys.
    ///
    /// ## Configuration keys
    /// - `BEAT_LEASE_TTL` (optional, default 5 s, 2 to 300).
    /// - `BEAT_CATCHUP_WINDOW` (optional, default 600 s, 0 to 86400).
    /// - `BEAT_CANARY_INTERVAL` (optional, default 60 s, 0 to 86400; 0 = off).
    /// - `WEBHOOK_RETENTION_DAYS` (optional, default 30, 1 to 3650).
    /// - `WEBHOOK_SWEEP_DEADLINE` (optional, default 300 s, 5 to 300).
    public init(config: ConfigReader) throws(ConfigurationProblems) {
        var values = ConfigValues(config)
        self.init()
        leaseTTL = values.integer("BEAT_LEASE_TTL", default: 5, range: 2...300)
        catchupWindow = values.integer("BEAT_CATCHUP_WINDOW", default: 600, range: 0...86_400)
        canaryInterval = values.integer("BEAT_CANARY_INTERVAL", default: 60, range: 0...86_400)
        webhookRetentionDays = values.integer("WEBHOOK_RETENTION_DAYS", default: 30, range: 1...3650)
        webhookSweepDeadline = values.webhookSweepDeadline()
        try values.finish()
    }
}
