#if canImport(Glibc)
    import Glibc
#endif

/// A five-field cron expression (minute hour day-of-month month day-of-week), evaluated in UTC.
/// Supports `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, and lists; day-of-week 0 and 7
/// are Sunday; when both day fields are restricted, either may match (Vixie cron's rule).
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool
    public let description: String

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    public init(_ text: String) throws(ParseError) {
        let fields = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 5 else { throw ParseError(description: "cron needs 5 fields, got \(fields.count)") }
        minutes = try Self.parse(fields[0], 0...59)
        hours = try Self.parse(fields[1], 0...23)
        daysOfMonth = try Self.parse(fields[2], 1...31)
        months = try Self.parse(fields[3], 1...12)
        daysOfWeek = Set(try Self.parse(fields[4], 0...7).map { $0 % 7 })
        dayOfMonthRestricted = fields[2] != "*"
        dayOfWeekRestricted = fields[4] != "*"
        description = fields.joined(separator: " ")
    }

    private static func parse(_ field: String, _ range: ClosedRange<Int>) throws(ParseError) -> Set<Int> {
        var values = Set<Int>()
        for part in field.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw ParseError(description: "bad step in \(field)") }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else {
                    throw ParseError(description: "bad step in \(field)")
                }
                step = parsed
            }
            var lower = range.lowerBound
            var upper = range.upperBound
            if pieces[0] != "*" {
                let bounds = pieces[0].split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count <= 2, let first = Int(bounds[0]) else {
                    throw ParseError(description: "bad value in \(field)")
                }
                lower = first
                upper = bounds.count == 2 ? (Int(bounds[1]) ?? -1) : (pieces.count == 2 ? range.upperBound : first)
            }
            guard range.contains(lower), range.contains(upper), lower <= upper else {
                throw ParseError(description: "\(field) is outside \(range.lowerBound)-\(range.upperBound)")
            }
            values.formUnion(stride(from: lower, through: upper, by: step))
        }
        return values
    }

    /// Whether the minute starting at `unixSeconds` (UTC) matches.
    public func matches(_ unixSeconds: Int64) -> Bool {
        var time = time_t(unixSeconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        guard minutes.contains(Int(parts.tm_min)), hours.contains(Int(parts.tm_hour)),
            months.contains(Int(parts.tm_mon) + 1)
        else { return false }
        let domMatch = daysOfMonth.contains(Int(parts.tm_mday))
        let dowMatch = daysOfWeek.contains(Int(parts.tm_wday))
        if dayOfMonthRestricted && dayOfWeekRestricted { return domMatch || dowMatch }
        return domMatch && dowMatch
    }

    /// The first matching minute strictly after `unixSeconds`, searching up to five years ahead.
    public func next(after unixSeconds: Int64) -> Int64? {
        var candidate = (unixSeconds / 60 + 1) * 60
        let limit = candidate + 5 * 366 * 86_400
        while candidate < limit {
            if matches(candidate) { return candidate }
            candidate += 60
        }
        return nil
    }
}
