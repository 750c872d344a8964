/// An outbound limit's state at one moment: what `otto-worker inspect` and tests read.
public struct OutboundLimitSnapshot: Sendable, Equatable, Codable {
    /// The provider ("deepgram").
    public var name: String
    /// Permits held now (leases not yet expired), across all workers.
    public var inUse: Int
    /// The limit's concurrency.
    public var concurrency: Int
    /// Unix seconds until which every call defers; nil when not paused.
    public var pausedUntil: Double?

    public init(name: String, inUse: Int, concurrency: Int, pausedUntil: Double?) {
        self.name = name
        self.inUse = inUse
        self.concurrency = concurrency
        self.pausedUntil = pausedUntil
    }

    enum CodingKeys: String, CodingKey {
        case name
        case inUse = "in_use"
        case concurrency
        case pausedUntil = "paused_until"
    }
}
