/// What `GET /v1/calls` asks for: a page size, a cursor, and optional filters.
public struct CallListQuery: Sendable {
    /// 1…100.
    public var limit: Int
    public var cursor: CallCursor?
    public var status: String?
    /// Unix seconds; calls whose sort time is at or after it.
    public var from: Double?
    /// Unix seconds; calls whose sort time is before it.
    public var to: Double?

    public init(
        limit: Int = 50, cursor: CallCursor? = nil, status: String? = nil, from: Double? = nil, to: Double? = nil
    ) {
        self.limit = min(100, max(1, limit))
        self.cursor = cursor
        self.status = status
        self.from = from
        self.to = to
    }
}
