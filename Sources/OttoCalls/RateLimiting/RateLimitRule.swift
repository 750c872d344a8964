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
    ///
    /// Digits only (no sign), N from 1 to `maximumLimit` and a period from 1 s to
    /// `maximumPeriodSeconds`, so the limiter's arithmetic (milliseconds, per-request intervals)
    /// can never overflow; anything else is nil and the variable is refused with exit 78.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let limit = Self.digits(parts[0]), (1...Self.maximumLimit).contains(limit) else {
            return nil
        }
        var period = Substring(parts[1])
        guard let unit = period.popLast() else { return nil }
        let unitSeconds: Int
        switch unit {
        case "s": unitSeconds = 1
        case "m": unitSeconds = 60
        case "h": unitSeconds = 3600
        default: return nil
        }
        guard let count = period.isEmpty ? 1 : Self.digits(period), count >= 1,
            count <= Self.maximumPeriodSeconds / unitSeconds
        else { return nil }
        self.init(limit: limit, periodSeconds: count * unitSeconds)
    }

    /// A decimal of at most nine digits (no sign, no spaces), so it fits before it is compared.
    private static func digits(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 9, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return nil
        }
        return Int(text)
    }

    /// The IETF `RateLimit-Policy` form: `600;w=60`.
    public var description: String { "\(limit);w=\(periodSeconds)" }
}
