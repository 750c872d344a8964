/// A rate limit written like `600/1m`: this many requests per period, per tenant.
public struct RateLimitRule: Sendable, Equatable, CustomStringConvertible {
    public var limit: Int
    public var periodSeconds: Int

    /// The largest request count a rule may allow per period.
    public static let maximumLimit = 1_000_000
    /// The longest period a rule may have: a day.
    public static let maximumPeriodSeconds = 86_400

    public init(limit: Int, periodSeconds: Int) {
        self.limit = limit
        self.periodSeconds = periodSeconds
    }

    /// Parses `N/PERIOD` where PERIOD is an optional count followed by `s`, `m` or `h` (`600/1m`, `10/30s`, `5000/h`).
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let limit = Int(parts[0]), limit > 0 else { return nil }
        var period = Substring(parts[1])
        guard let unit = period.popLast() else { return nil }
        let count = period.isEmpty ? 1 : Int(period)
        guard let count, count > 0 else { return nil }
        let unitSeconds: Int
        switch unit {
        case "s": unitSeconds = 1
        case "m": unitSeconds = 60
        case "h": unitSeconds = 3600
        default: return nil
        }
        self.init(limit: limit, periodSeconds: count * unitSeconds)
    }

    /// The IETF `RateLimit-Policy` form: `600;w=60`.
    public var description: String { "\(limit);w=\(periodSeconds)" }
}
