/// The part of a response an idempotency key replays: status, the headers that matter and body.
public struct StoredResponse: Sendable, Equatable {
    /// The HTTP status code.
    public var status: Int
    /// The kept headers (``keptHeaders``), by name.
    public var headers: [String: String]
    /// The body bytes.
    public var body: [UInt8]

    /// A response to store or replay.
    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Headers worth replaying; per-request ones (request id, rate limits, trace) are not.
    public static let keptHeaders = ["Content-Type", "Location", "ETag", "Last-Modified", "Content-Language"]
}
