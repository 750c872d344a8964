import Foundation
import OttoCalls
import OttoTasks

/// A seeded SplitMix64 generator: property tests draw from it so a failure names the seed that
/// reproduces it (`OTTO_PROPERTY_SEED=… OTTO_TEST_FILTER=… scripts/test.sh`).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Inputs for high-volume property tests of the parsers that read outside bytes: random bytes,
/// mutations of valid seeds (byte flips, insertions, deletions, splices, and tokens that break
/// parsers: huge numbers, signs, separators, NUL, invalid UTF-8), and random text.
public enum PropertyInput {
    /// Cases per property: `OTTO_PROPERTY_ITERATIONS`, 4000 by default (`make fuzz` runs more).
    public static var iterations: Int {
        ProcessInfo.processInfo.environment["OTTO_PROPERTY_ITERATIONS"].flatMap { Int($0) }.map { max(1, $0) } ?? 4000
    }

    /// The seed of this run: `OTTO_PROPERTY_SEED`, else a fixed one so `make test` is repeatable.
    public static var seed: UInt64 {
        ProcessInfo.processInfo.environment["OTTO_PROPERTY_SEED"].flatMap { UInt64($0) } ?? 0x07_7070_1234
    }

    /// A generator for one property, so properties do not share a stream.
    public static func generator(_ property: String) -> SeededGenerator {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in property.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return SeededGenerator(seed: seed ^ hash)
    }

    /// Lets other tests run every 32 cases: Swift Testing runs suites in parallel on the
    /// cooperative pool (one thread per core), and a tight loop that never suspends would hold a
    /// thread for seconds, delaying other tests' timers (a ping's deadline, a poll's sleep).
    public static func pause(_ iteration: Int) async {
        if iteration % 32 == 0 { await Task.yield() }
    }

    /// Seconds since 1970 at and past the edges of what `Date` and PostgreSQL hold: NaN, the
    /// infinities, the largest doubles, the first instant of year 1 and the last of year 9999 and
    /// their neighbours.
    public static let extremeInstants: [Double] = [
        .nan, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e300, -1e300, 9.3e12,
        -9.3e12, 9.2e15, 253_402_300_800, 253_402_300_799.999_999, -62_135_596_800, -62_135_596_800.000_001, 0, -0.0,
        .leastNonzeroMagnitude,
    ]

    /// Tokens that tend to break parsers. (Not `*2147483647`: hiredis 0.14 would allocate a
    /// 2^31-entry table and walk it when freed, seconds per input; see the RESP tests.)
    public static let tokens: [[UInt8]] =
        [
            "99999999999999999999", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
            "18446744073709551616",
            "1e308", "1e400", "-1e400", "NaN", "Infinity", "-0", "+", "-", "0x", "%", "%0", "%00", "%zz", "%FF",
            "+0000",
            "+-100", "99:99", ":", "::", "/", "//", "@", "@@", "[", "]", "[::1]", "?", "#", "=", "&", "|", ".", ",",
            " ", "\t",
            "\r\n", "$-1\r\n", "*-1\r\n", ":9223372036854775808\r\n", "\u{0}",
            "\\u0000", "\"", "{", "}", "[]", "{}", "null", "true", "99999-12-31", "0000-00-00", "9999-12-31T23:59:60Z",
            "T", "Z", "GMT", "Feb", "é", "\u{FEFF}", "\u{10FFFF}",
        ].map { Array($0.utf8) } + [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80]]

    /// Random bytes, biased towards printable ASCII.
    public static func bytes(maxLength: Int = 64, using random: inout SeededGenerator) -> [UInt8] {
        let length = Int.random(in: 0...maxLength, using: &random)
        return (0..<length).map { _ in
            Int.random(in: 0..<4, using: &random) == 0
                ? UInt8.random(in: 0...255, using: &random) : UInt8.random(in: 0x20...0x7E, using: &random)
        }
    }

    /// `seed` changed by one to four random edits.
    public static func mutate(_ seed: [UInt8], using random: inout SeededGenerator) -> [UInt8] {
        var bytes = seed
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0 where position < bytes.count:
                bytes[position] = UInt8.random(in: 0...255, using: &random)
            case 1 where position < bytes.count:
                bytes.remove(at: position)
            case 2:
                bytes.insert(contentsOf: tokens.randomElement(using: &random)!, at: position)
            case 3 where position < bytes.count:
                let end = Int.random(in: position...bytes.count, using: &random)
                bytes.removeSubrange(position..<end)
            case 4:
                // Repeat a slice (long runs, nesting).
                let end = min(bytes.count, position + Int.random(in: 1...8, using: &random))
                let slice = Array(bytes[min(position, bytes.count)..<end])
                for _ in 0..<Int.random(in: 1...16, using: &random) { bytes.insert(contentsOf: slice, at: position) }
            default:
                bytes.insert(UInt8.random(in: 0x20...0x7E, using: &random), at: position)
            }
        }
        return bytes
    }

    /// Either random bytes or a mutation of one of `seeds`.
    public static func next(seeds: [String], using random: inout SeededGenerator) -> [UInt8] {
        if seeds.isEmpty || Int.random(in: 0..<4, using: &random) == 0 { return bytes(using: &random) }
        return mutate(Array(seeds.randomElement(using: &random)!.utf8), using: &random)
    }

    /// Random Unicode text from a mixed alphabet (ASCII, punctuation, controls, non-ASCII, astral).
    public static func text(maxLength: Int = 24, using random: inout SeededGenerator) -> String {
        let length = Int.random(in: 0...maxLength, using: &random)
        var scalars = String.UnicodeScalarView()
        for _ in 0..<length {
            let value: UInt32
            switch Int.random(in: 0..<8, using: &random) {
            case 0: value = UInt32.random(in: 0...0x1F, using: &random)
            case 1: value = UInt32.random(in: 0x80...0x7FF, using: &random)
            case 2: value = UInt32.random(in: 0x800...0xD7FF, using: &random)
            case 3: value = UInt32.random(in: 0x10000...0x10FFFF, using: &random)
            case 4: value = Array("%+&=/:@?#[] ".unicodeScalars).randomElement(using: &random)!.value
            default: value = UInt32.random(in: 0x20...0x7E, using: &random)
            }
            scalars.append(Unicode.Scalar(value)!)
        }
        return String(scalars)
    }

    /// The input as a Swift string (invalid UTF-8 repaired, as a String made from bytes would be).
    public static func string(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// A short printable form of an input for failure messages.
    public static func describe(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.prefix(200), as: UTF8.self).debugDescription
        return "\(text) (\(bytes.count) bytes, seed \(seed))"
    }
}
