#if canImport(Glibc)
    import Glibc
#endif

/// RFC 3339 UTC timestamps, without Foundation's formatters.
public enum LogTimestamp {
    /// Now, with milliseconds (log lines).
    public static func now() -> String {
        var bytes: [UInt8] = []
        appendNow(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends now, with milliseconds (`2026-11-29T15:44:06.123Z`), to a line being built.
    public static func appendNow(to output: inout [UInt8]) {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        append(seconds: spec.tv_sec, milliseconds: Int32(spec.tv_nsec / 1_000_000), to: &output)
    }

    /// A unix time in whole seconds (`2026-11-29T15:44:06Z`).
    public static func rfc3339(_ unixSeconds: Double) -> String {
        var bytes: [UInt8] = []
        append(seconds: time_t(unixSeconds), milliseconds: nil, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func append(seconds: time_t, milliseconds: Int32?, to output: inout [UInt8]) {
        var seconds = seconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int32, _ width: Int) {
            var divisor: Int32 = 1
            for _ in 1..<width { divisor *= 10 }
            var value = value
            if value >= divisor * 10 {
                // A year past 9999 keeps all its digits.
                output.append(contentsOf: String(value).utf8)
                return
            }
            while divisor > 0 {
                output.append(UInt8(ascii: "0") + UInt8(value / divisor))
                value %= divisor
                divisor /= 10
            }
        }
        digits(parts.tm_year + 1900, 4)
        output.append(UInt8(ascii: "-"))
        digits(parts.tm_mon + 1, 2)
        output.append(UInt8(ascii: "-"))
        digits(parts.tm_mday, 2)
        output.append(UInt8(ascii: "T"))
        digits(parts.tm_hour, 2)
        output.append(UInt8(ascii: ":"))
        digits(parts.tm_min, 2)
        output.append(UInt8(ascii: ":"))
        digits(parts.tm_sec, 2)
        if let milliseconds {
            output.append(UInt8(ascii: "."))
            digits(milliseconds, 3)
        }
        output.append(UInt8(ascii: "Z"))
    }
}
