import Foundation
import OttoTasks
import OttoTestSupport
import Testing

@testable import OttoRedis

/// The RESP reader (hiredis behind `RedisReplyReader`) and Redis URLs: any bytes yield replies,
/// "need more data" or a protocol error, never a trap; replies written as RESP and fed in random
/// pieces read back as the same values; URLs built from parts parse back to those parts.
@Suite("Property: Redis parsing")
struct RedisParsingPropertyTests {
    /// RESP2 for `value`, written independently of the reader.
    static func resp(_ value: RedisValue) -> [UInt8] {
        switch value {
        case .null: return Array("$-1\r\n".utf8)
        case .simpleString(let text): return Array("+\(text)\r\n".utf8)
        case .error(let text): return Array("-\(text)\r\n".utf8)
        case .integer(let number): return Array(":\(number)\r\n".utf8)
        case .bulkString(let bytes): return Array("$\(bytes.count)\r\n".utf8) + bytes + [13, 10]
        case .array(let elements): return Array("*\(elements.count)\r\n".utf8) + elements.flatMap(resp)
        }
    }

    /// `text` without CR and LF scalars (a Swift `Character` can hold "\r\n" as one).
    static func oneLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 != "\r" && $0 != "\n" }))
    }

    /// Whether a simple string or error could not be written back as one RESP line.
    static func isMultiline(_ value: RedisValue) -> Bool {
        switch value {
        case .simpleString(let text), .error(let text): text.unicodeScalars.contains { $0 == "\r" || $0 == "\n" }
        default: false
        }
    }

    /// A random reply tree no deeper than hiredis' limit of 7 nested arrays.
    static func value(depth: Int = 0, using random: inout SeededGenerator) -> RedisValue {
        switch Int.random(in: 0..<(depth >= 6 ? 5 : 6), using: &random) {
        case 0: return .null
        case 1:
            // Simple strings and errors are one line: no CR or LF.
            return .simpleString(oneLine(PropertyInput.text(using: &random)))
        case 2: return .error("ERR " + oneLine(PropertyInput.text(using: &random)))
        case 3:
            let edges: [Int64] = [.min, .max, 0, -1, 1]
            return .integer(
                Bool.random(using: &random)
                    ? edges.randomElement(using: &random)! : Int64.random(in: .min ... .max, using: &random))
        case 4: return .bulkString(PropertyInput.bytes(maxLength: 300, using: &random))
        default:
            return .array(
                (0..<Int.random(in: 0...4, using: &random)).map { _ in value(depth: depth + 1, using: &random) })
        }
    }

    /// Feeds `bytes` to a fresh reader in pieces of random size and collects what it yields.
    static func read(_ bytes: [UInt8], using random: inout SeededGenerator) -> (values: [RedisValue], failed: Bool) {
        let reader = RedisReplyReader()
        var values: [RedisValue] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + Int.random(in: 1...64, using: &random))
            let accepted = bytes[offset..<end].withUnsafeBytes { reader.feed($0) }
            if !accepted { return (values, true) }
            offset = end
            reading: while true {
                switch reader.next() {
                case .reply(let value): values.append(value)
                case .needMoreData: break reading
                case .protocolError: return (values, true)
                }
            }
        }
        return (values, false)
    }

    @Test("replies written as RESP and fed in random pieces read back identically")
    func respRoundTrip() async {
        var random = PropertyInput.generator("resp-round-trip")
        for iteration in 0..<PropertyInput.iterations {
            await PropertyInput.pause(iteration)
            let values = (0..<Int.random(in: 1...4, using: &random)).map { _ in Self.value(using: &random) }
            let bytes = values.flatMap(Self.resp)
            let (read, failed) = Self.read(bytes, using: &random)
            #expect(!failed && read == values, "\(PropertyInput.describe(bytes))")
        }
    }

    @Test("any bytes from a server yield replies, need-more-data or a protocol error")
    func respAnyInput() async {
        var random = PropertyInput.generator("resp-any")
        let seeds = [
            "+OK\r\n", "$5\r\nhello\r\n", "*2\r\n:1\r\n$-1\r\n", "*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n",
            "-ERR wrong\r\n", ":-9223372036854775808\r\n", "*-1\r\n",
        ]
        var replies = 0
        for iteration in 0..<PropertyInput.iterations * 4 {
            await PropertyInput.pause(iteration)
            let input = PropertyInput.next(seeds: seeds, using: &random)
            let (values, _) = Self.read(input, using: &random)
            replies += values.count
            // A reply that was read re-encodes to RESP that reads back the same.
            for value in values {
                if Self.isMultiline(value) { continue }
                let (again, failed) = Self.read(Self.resp(value), using: &random)
                #expect(!failed && again == [value], "\(PropertyInput.describe(input)) -> \(value)")
            }
        }
        #expect(replies > 0)
    }

    @Test("deep, huge or overflowing headers are protocol errors")
    func respHostileHeaders() async {
        var random = PropertyInput.generator("resp-hostile")
        for text in [
            String(repeating: "*1\r\n", count: 9) + ":1\r\n", "*2147483648\r\n", "*2147483647\r\n", "*1048577\r\n",
            "$-2\r\n", "*-2\r\n", ":01\r\n",
            ":9223372036854775808\r\n", ":99999999999999999999\r\n", "$abc\r\n", "?\r\n",
        ] {
            let (values, failed) = Self.read(Array(text.utf8), using: &random)
            #expect(failed && values.isEmpty, "\(text.debugDescription)")
        }
        // An array at the reader's limit waits for its elements.
        let (atLimit, atLimitFailed) = Self.read(Array("*1048576\r\n".utf8), using: &random)
        #expect(!atLimitFailed && atLimit.isEmpty)
        // A huge declared bulk string only waits for its bytes (the connection's timeout ends it).
        let (values, failed) = Self.read(Array("$9223372036854775807\r\nabc".utf8), using: &random)
        #expect(!failed && values.isEmpty)
    }

    @Test("any Redis URL is parsed or refused without trapping and without quoting its password")
    func endpointAnyInput() async {
        var random = PropertyInput.generator("redis-url-any")
        let seeds = [
            "redis://127.0.0.1:6379/0", "rediss://default:Zq9secret@eu1.upstash.io:6380",
            "redis://u:Zq9p%40ss@[::1]:7000/15",
        ]
        for iteration in 0..<PropertyInput.iterations * 2 {
            await PropertyInput.pause(iteration)
            let input = PropertyInput.next(seeds: seeds, using: &random)
            do {
                let endpoint = try RedisEndpoint(url: PropertyInput.string(input))
                #expect((1...65535).contains(endpoint.port) && endpoint.database >= 0)
                #expect(!endpoint.host.isEmpty)
                if endpoint.password?.contains("Zq9") == true, !endpoint.host.contains("Zq9"),
                    endpoint.username?.contains("Zq9") != true
                {
                    #expect(!endpoint.description.contains("Zq9"), "\(PropertyInput.describe(input))")
                    #expect(!endpoint.debugDescription.contains("Zq9"), "\(PropertyInput.describe(input))")
                }
            } catch {
                for problem in error.problems {
                    #expect(!problem.contains("Zq9"), "\(PropertyInput.describe(input)): \(problem)")
                }
            }
        }
    }

    @Test("URLs built from random parts parse back to those parts")
    func endpointRoundTrip() async throws {
        var random = PropertyInput.generator("redis-url-round-trip")
        let hostCharacters = Array("abcdefghijklmnopqrstuvwxyz0123456789-._")
        for iteration in 0..<PropertyInput.iterations {
            await PropertyInput.pause(iteration)
            let host: String
            if Int.random(in: 0..<4, using: &random) == 0 {
                host = "::" + String(Int.random(in: 1...0xFFFF, using: &random), radix: 16)
            } else {
                host = String(
                    (0..<Int.random(in: 1...30, using: &random)).map { _ in
                        hostCharacters.randomElement(using: &random)!
                    })
            }
            let port = Int.random(in: 1...65535, using: &random)
            let database = Int.random(in: 0...Int(Int32.max), using: &random)
            let user = Bool.random(using: &random) ? PropertyInput.text(using: &random) : ""
            let password = PropertyInput.text(using: &random)
            let tls = Bool.random(using: &random)
            let authority = host.contains(":") ? "[\(host)]" : host
            func encoded(_ text: String) -> String {
                text.utf8.map { byte in
                    let unreserved =
                        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte)
                        || (0x61...0x7A).contains(byte) || [0x2D, 0x2E, 0x5F, 0x7E].contains(byte)
                    return unreserved
                        ? String(UnicodeScalar(byte))
                        : "%" + String(byte >> 4, radix: 16) + String(byte & 0x0F, radix: 16)
                }.joined()
            }
            let url =
                "\(tls ? "rediss" : "redis")://\(encoded(user)):\(encoded(password))@\(authority):\(port)/\(database)"
            let endpoint = try RedisEndpoint(url: url)
            #expect(endpoint.host == host && endpoint.port == port && endpoint.database == database, "\(url)")
            #expect(endpoint.useTLS == tls)
            #expect(endpoint.username == (user.isEmpty ? nil : user), "\(url)")
            #expect(endpoint.password == (password.isEmpty ? nil : password), "\(url)")
            #expect(endpoint.description.contains(":***@") == !password.isEmpty, "\(endpoint.description)")
        }
    }
}
