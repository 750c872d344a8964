extension Duration {
    /// The duration in seconds, for log fields, Redis arguments and arithmetic with unix times.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// The duration in whole milliseconds (Redis `PX`, `BLOCK` and `PEXPIRE` arguments).
    public var inMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
