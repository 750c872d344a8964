/// The days a usage report covers, both included: by default the last 30 UTC days up to today,
/// at most ``maximumDays``. The API's `GET /v1/usage` and the operator's `tenants usage` read
/// their `from` and `to` through it, so both refuse the same ranges in the same words.
public struct UsageRange: Sendable, Hashable {
    /// The longest range served (a leap year).
    public static let maximumDays = 366
    /// The length of the default range.
    public static let defaultDays = 30

    public var from: CalendarDay
    public var to: CalendarDay

    /// Why a requested range is refused (the message is the 400's detail and the command's error).
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// `from` and `to` as given (`YYYY-MM-DD`, either absent); `today` is the default `to`, and
    /// `from` defaults to 29 days before `to` (never before 0001-01-01).
    public init(from: String?, to: String?, today: CalendarDay) throws(Problem) {
        func day(_ name: String, _ text: String?) throws(Problem) -> CalendarDay? {
            guard let text else { return nil }
            guard let day = CalendarDay(text) else {
                throw Problem(description: "\(name) must be a date such as 2026-01-31 (YYYY-MM-DD).")
            }
            return day
        }
        let to = try day("to", to) ?? today
        let from = try day("from", from) ?? max(to.adding(days: -(Self.defaultDays - 1)), CalendarDay.first)
        guard from <= to else { throw Problem(description: "from must not be after to.") }
        guard to.daysSinceEpoch - from.daysSinceEpoch < Self.maximumDays else {
            throw Problem(description: "The range from from to to covers at most \(Self.maximumDays) days.")
        }
        self.from = from
        self.to = to
    }
}
