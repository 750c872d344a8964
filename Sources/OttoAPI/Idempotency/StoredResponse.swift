/// The part of a response an idempotency key replays: status, the headers that matter and body.
struct StoredResponse: Sendable, Equatable {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]

    /// Headers worth replaying; per-request ones (request id, rate limits, trace) are not.
    static let keptHeaders = ["Content-Type", "Location", "ETag", "Last-Modified", "Content-Language"]
}
