extension ConfigValues {
    /// `WEBHOOK_SWEEP_DEADLINE` in seconds (5 to 300, default 300): a stored webhook event not
    /// processed this long after it was last enqueued is run again by the sweep.
    package mutating func webhookSweepDeadline() -> Int {
        integer("WEBHOOK_SWEEP_DEADLINE", default: BeatConfiguration.defaultWebhookSweepDeadline, range: 5...300)
    }
}
