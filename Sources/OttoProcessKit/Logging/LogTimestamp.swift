#if canImport(Glibc)
    import Glibc
#endif

/// RFC 3339 UTC timestamps, without Foundation's formatters.
public enum LogTimestamp {
    /// Now, with milliseconds (log lines).
    public static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return format(seconds: spec.tv_sec, milliseconds: Int32(spec.tv_nsec / 1_000_000))
    }

    /// A unix time in whole seconds (`2026-11-29T15:44:06Z`).
    public static func rfc3339(_ unixSeconds: Double) -> String {
        format(seconds: time_t(unixSeconds), milliseconds: nil)
    }

    private static func format(seconds: time_t, milliseconds: Int32?) -> String {
        var seconds = seconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let fraction = milliseconds.map { ".\(pad($0, 3))" } ?? ""
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))\(fraction)Z"
    }
}
