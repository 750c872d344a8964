extension RedisClient {
    /// Timeouts and reconnect pacing; the defaults suit a Redis in the same region.
    public struct Options: Sendable {
        /// TCP connect, TLS handshake, AUTH and SELECT together.
        public var connectTimeout: Duration = .seconds(2)
        /// How long a command waits for its reply before the connection is dropped.
        public var commandTimeout: Duration = .seconds(3)
        /// First wait after a failed connect; doubles per failure (with jitter) up to the maximum.
        public var minReconnectDelay: Duration = .milliseconds(100)
        public var maxReconnectDelay: Duration = .seconds(5)

        public init() {}
    }
}
