#if canImport(Glibc)
    import Glibc
#endif

/// Wall-clock time as unix seconds, the unit of every timestamp Otto stores or prints.
public enum UnixTime {
    /// Now, with sub-millisecond precision.
    public static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Now in whole milliseconds (sorted-set scores, envelope times).
    public static func nowMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
