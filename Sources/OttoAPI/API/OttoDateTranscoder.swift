import HTTPTypes
import OpenAPIRuntime
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The generated code's `date-time` conversions, with the parsers the hand-written routes used:
/// a query time (`from`, `to`) is read by ``WebhookTime/iso8601(_:)`` (a date alone, `T` or a
/// space, fractions, `Z` or an offset; years 0001-9999), and a time is written as
/// ``LogTimestamp/rfc3339(_:)`` writes it.
struct OttoDateTranscoder: DateTranscoder {
    func encode(_ date: Date) throws -> String {
        LogTimestamp.rfc3339(date.timeIntervalSince1970)
    }

    func decode(_ text: String) throws -> Date {
        guard let seconds = WebhookTime.iso8601(text) else {
            throw Problem(.badRequest, detail: "A time must be ISO 8601 (2026-01-31T12:00:00Z).")
        }
        return Date(timeIntervalSince1970: seconds)
    }
}
