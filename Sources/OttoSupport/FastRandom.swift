import Synchronization

/// Identifiers drawn from a userspace generator (xoshiro256**, seeded once from the system).
///
/// Request ids, trace and span ids and task ids need uniqueness, not secrecy; drawing them from
/// `SystemRandomNumberGenerator` cost a `getrandom` system call per byte and showed up as the
/// largest item of an API profile. Never use this for secrets or tokens.
public enum FastRandom {
    private struct Xoshiro256 {
        var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

        init() {
            var system = SystemRandomNumberGenerator()
            repeat {
                s0 = system.next()
                s1 = system.next()
                s2 = system.next()
                s3 = system.next()
            } while s0 | s1 | s2 | s3 == 0
        }

        mutating func next() -> UInt64 {
            let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
            let t = s1 << 17
            s2 ^= s0
            s3 ^= s1
            s1 ^= s2
            s0 ^= s3
            s2 ^= t
            s3 = (s3 << 45) | (s3 >> 19)
            return result
        }
    }

    private static let state = Mutex(Xoshiro256())

    /// 64 random bits.
    public static func next() -> UInt64 { state.withLock { $0.next() } }

    /// `bytes` random bytes as lowercase hex, never all zeros (W3C trace ids forbid that).
    public static func hex(bytes: Int) -> String {
        let digits = Hex.digits
        var text = [UInt8]()
        text.reserveCapacity(bytes * 2)
        var word: UInt64 = 0
        var allZero = true
        for index in 0..<bytes {
            if index % 8 == 0 { word = next() }
            let byte = UInt8(truncatingIfNeeded: word >> (UInt64(index % 8) * 8))
            if byte != 0 { allZero = false }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        if allZero { text[text.count - 1] = digits[1] }
        return String(decoding: text, as: UTF8.self)
    }

    /// A version-4 UUID string in lowercase (8-4-4-4-12).
    public static func uuidString() -> String {
        let digits = Hex.digits
        var high = next()
        var low = next()
        high = (high & ~(0xF << 12)) | (0x4 << 12)  // version 4
        low = (low & ~(0x3 << 62)) | (0x2 << 62)  // RFC 4122 variant
        var text = [UInt8]()
        text.reserveCapacity(36)
        for (index, nibbleIndex) in (0..<32).enumerated() {
            if index == 8 || index == 12 || index == 16 || index == 20 { text.append(UInt8(ascii: "-")) }
            let word = nibbleIndex < 16 ? high : low
            let shift = UInt64(60 - (nibbleIndex % 16) * 4)
            text.append(digits[Int((word >> shift) & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
