/// How a call to a provider failed, in the terms a caller retries by.
///
/// ``Kind/rateLimited(retryAfter:)`` and ``Kind/unavailable(status:)`` are the provider's own
/// outage: a caller backs off (by the Retry-After, or exponentially) without spending the
/// step's attempts. ``Kind/rejected(status:message:)`` is a real failure of this request (a
/// wrong key, a refused parameter, a spent quota), and ``Kind/invalidResponse(reason:)`` an
/// answer Otto cannot use. The description names the provider and the kind, never a key; the
/// provider's own message stays in ``Kind/rejected(status:message:)`` for the log.
public struct ProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// 429: try again after `retryAfter` (nil when the provider did not say).
        case rateLimited(retryAfter: Duration?)
        /// 5xx (`status`), or no answer at all (nil: refused or dropped connection, timeout).
        case unavailable(status: Int?)
        /// 4xx other than a retryable 429: `message` is the provider's own, shortened.
        case rejected(status: Int, message: String)
        /// A success status with a body that does not decode, or content Otto refuses.
        case invalidResponse(reason: String)
    }

    public var provider: ProviderName
    public var kind: Kind

    public init(_ provider: ProviderName, _ kind: Kind) {
        self.provider = provider
        self.kind = kind
    }

    /// True for the provider's own outage (a 429 or a 5xx, or no answer): back off, do not
    /// count an attempt.
    public var isProviderOutage: Bool {
        switch kind {
        case .rateLimited, .unavailable: true
        case .rejected, .invalidResponse: false
        }
    }

    public var description: String {
        switch kind {
        case .rateLimited(let retryAfter?):
            "\(provider) rate-limited the request (retry after \(retryAfter))"
        case .rateLimited(nil):
            "\(provider) rate-limited the request"
        case .unavailable(let status?):
            "\(provider) is unavailable (HTTP \(status))"
        case .unavailable(nil):
            "\(provider) did not answer"
        case .rejected(let status, _):
            "\(provider) rejected the request (HTTP \(status))"
        case .invalidResponse(let reason):
            "\(provider) answered something Otto cannot use: \(reason)"
        }
    }
}
