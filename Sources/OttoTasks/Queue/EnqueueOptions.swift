/// How to enqueue: where, when, how often, and what to keep.
public struct EnqueueOptions: Sendable {
    /// The queue; the task's default when nil.
    public var queue: String?
    /// Run no earlier than this many seconds from now.
    public var delay: Double = 0
    /// Run no earlier than this unix time (wins over `delay`).
    public var notBefore: Double?
    /// Attempts before dead-lettering; the task's default when nil.
    public var maxAttempts: Int?
    /// A second enqueue with the same key inside `dedupWindow` returns the first id and does nothing.
    public var dedupKey: String?
    /// Seconds the de-duplication key lives.
    public var dedupWindow: Int = 3600
    /// Keep state and result under `task:<id>` for this many seconds (for `GET /v1/tasks/{id}`).
    public var resultTTL: Int?
    public var tenantID: String?
    /// The W3C `traceparent` of the request that enqueues.
    public var traceparent: String?

    public init(
        queue: String? = nil, delay: Double = 0, notBefore: Double? = nil, maxAttempts: Int? = nil,
        dedupKey: String? = nil,
        dedupWindow: Int = 3600, resultTTL: Int? = nil, tenantID: String? = nil, traceparent: String? = nil
    ) {
        self.queue = queue
        self.delay = delay
        self.notBefore = notBefore
        self.maxAttempts = maxAttempts
        self.dedupKey = dedupKey
        self.dedupWindow = dedupWindow
        self.resultTTL = resultTTL
        self.tenantID = tenantID
        self.traceparent = traceparent
    }
}

/// The result of an enqueue: the task id, and whether this call created it.
public struct EnqueueResult: Sendable, Equatable {
    public var id: String
    public var queue: String
    /// False when a de-duplication key matched an earlier enqueue.
    public var created: Bool
}
