// libFuzzer entry points for Otto's parsers of outside bytes (`make fuzz`, scripts/libfuzzer.sh).
//
// scripts/libfuzzer.sh compiles this file together with the production sources of the parsers
// (Fuzz/sources.txt) into one instrumented module with `swiftc -sanitize=fuzzer,address`;
// `OTTO_FUZZ_TARGET` picks the parser. Every target checks more than "does not crash": the
// bounds its callers rely on and, where there is one, a round trip (a violation traps, and
// libFuzzer saves the input as a crash).

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// The parser under test, chosen once in `LLVMFuzzerInitialize`.
nonisolated(unsafe) private var target: (([UInt8]) -> Void)?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> Int32 {
    let name = getenv("OTTO_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let chosen = FuzzTargets.all[name] else {
        let names = FuzzTargets.all.keys.sorted().joined(separator: ", ")
        fputs("OTTO_FUZZ_TARGET must be one of: \(names)\n", stderr)
        exit(2)
    }
    target = chosen
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    target?(bytes)
    return 0
}

enum FuzzTargets {
    static let all: [String: ([UInt8]) -> Void] = [
        "form": form, "webhook-time": webhookTime, "call-update": callUpdate, "cursor": cursor,
        "postgres-timestamp": postgresTimestamp, "resp": resp, "redis-url": redisURL, "database-url": databaseURL,
        "rate-limit": rateLimit, "headers": headers,
    ]

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    static func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition {
            fputs("property violated: \(message())\n", stderr)
            abort()
        }
    }

    static func form(_ bytes: [UInt8]) {
        guard let pairs = try? FormURLEncoded.parse(text(bytes)) else { return }
        check(pairs.allSatisfy { !$0.name.isEmpty }, "empty name")
        let body = pairs.map { FormURLEncoded.encode($0.name) + "=" + FormURLEncoded.encode($0.value) }
            .joined(separator: "&")
        let again = try? FormURLEncoded.parse(body)
        check(again?.map(\.name) == pairs.map(\.name) && again?.map(\.value) == pairs.map(\.value), "round trip")
    }

    static func inRange(_ seconds: Double?) -> Bool {
        guard let seconds else { return true }
        return seconds.isFinite && seconds >= WebhookTime.earliest && seconds < WebhookTime.latest
    }

    static func webhookTime(_ bytes: [UInt8]) {
        let input = text(bytes)
        check(inRange(WebhookTime.iso8601(input)), "iso8601 out of range")
        check(inRange(WebhookTime.rfc2822(input)), "rfc2822 out of range")
    }

    static func checkBounds(_ update: CallUpdate) {
        let id = update.providerCallID
        check(!id.isEmpty && id.utf8.count <= CallUpdate.maximumIdentifierLength, "id bounds")
        check(!id.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "id controls")
        check(CallStatus.ranks[update.status] != nil || update.status == CallStatus.unknown, "status")
        check([nil, "inbound", "outbound"].contains(update.direction), "direction")
        if let duration = update.durationSeconds {
            check((0...CallUpdate.maximumDurationSeconds).contains(duration), "duration")
        }
        check(inRange(update.startedAt) && inRange(update.endedAt), "times")
        for number in [update.fromNumber, update.toNumber, update.trackingNumber] {
            if let number { check(PhoneNumber.e164(number) == number, "number") }
        }
        if let url = update.recordingURL {
            check(url.hasPrefix("https://") || url.hasPrefix("http://"), "url scheme")
            check(url.utf8.count <= CallUpdate.maximumURLLength, "url length")
        }
    }

    static func callUpdate(_ bytes: [UInt8]) {
        // As JSON (CallRail's body, and both providers' stored payloads) and as a form (Twilio's).
        if let payload = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)) {
            for provider in [WebhookProvider.callrail, .twilio] {
                for kind in ["pre-call", "call-completed"] {
                    if let update = CallUpdate.from(provider: provider, eventKind: kind, payload: payload) {
                        checkBounds(update)
                    }
                }
            }
        }
        if let pairs = try? FormURLEncoded.parse(text(bytes)),
            let update = CallUpdate.twilio(FormURLEncoded.dictionary(pairs))
        {
            checkBounds(update)
        }
    }

    static func cursor(_ bytes: [UInt8]) {
        let input = text(bytes)
        if let cursor = CallCursor(encoded: input) {
            check(PostgresTimestamp.parse(cursor.sortKey).map { inRange($0.timeIntervalSince1970) } == true, "sort key")
            check(UUIDText.isValid(cursor.id), "id")
            check(CallCursor(encoded: cursor.encoded) == cursor, "round trip")
        }
        // The same bytes as the text inside a cursor.
        if let separator = input.lastIndex(of: "|") {
            let made = CallCursor(
                sortKey: String(input[..<separator]), id: String(input[input.index(after: separator)...]))
            if let decoded = CallCursor(encoded: made.encoded) { check(decoded == made, "inner round trip") }
        }
    }

    static func postgresTimestamp(_ bytes: [UInt8]) {
        if let date = PostgresTimestamp.parse(text(bytes)) {
            check(date.timeIntervalSince1970.isFinite, "finite")
        }
        guard bytes.count >= 8 else { return }
        let bits = bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let date = Date(timeIntervalSince1970: Double(bitPattern: bits))
        let seconds = date.timeIntervalSince1970
        let formatted = PostgresTimestamp.format(date)
        if let formatted, inRange(seconds) {
            let parsed = PostgresTimestamp.parse(formatted)
            // Half a microsecond plus the rounding of `Date`'s seconds-since-2001 conversions.
            let tolerance = 0.000_000_5 + 4 * max(seconds.ulp, (seconds - 978_307_200).ulp, Double(978_307_200).ulp)
            check(parsed.map { abs($0.timeIntervalSince1970 - seconds) <= tolerance } == true, "round trip")
        } else if !seconds.isNaN {
            check(formatted == "infinity" || formatted == "-infinity", "extreme")
        }
    }

    static func encodeRESP(_ value: RedisValue) -> [UInt8] {
        switch value {
        case .null: return Array("$-1\r\n".utf8)
        case .simpleString(let text): return Array("+\(text)\r\n".utf8)
        case .error(let text): return Array("-\(text)\r\n".utf8)
        case .integer(let number): return Array(":\(number)\r\n".utf8)
        case .bulkString(let bytes): return Array("$\(bytes.count)\r\n".utf8) + bytes + [13, 10]
        case .array(let elements): return Array("*\(elements.count)\r\n".utf8) + elements.flatMap(encodeRESP)
        }
    }

    static func readRESP(_ bytes: [UInt8], chunk: Int) -> [RedisValue] {
        let reader = RedisReplyReader()
        var values: [RedisValue] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            guard bytes[offset..<end].withUnsafeBytes({ reader.feed($0) }) else { return values }
            offset = end
            while case .reply(let value) = reader.next() { values.append(value) }
            if case .protocolError = reader.next() { return values }
        }
        return values
    }

    static func resp(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let values = readRESP(Array(bytes.dropFirst()), chunk: Int(first % 32) + 1)
        for value in values {
            switch value {
            case .simpleString(let text), .error(let text):
                // A line cut at a bare CR or LF cannot be written back as one RESP line.
                if text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) { continue }
            default: break
            }
            check(readRESP(encodeRESP(value), chunk: 7) == [value], "round trip")
        }
    }

    static func redisURL(_ bytes: [UInt8]) {
        do {
            let endpoint = try RedisEndpoint(url: text(bytes))
            check((1...65535).contains(endpoint.port) && endpoint.database >= 0 && !endpoint.host.isEmpty, "bounds")
            // The password never appears after the scheme (`redis://` itself may spell the start
            // of a password such as `//x`), unless it is part of the host or user name anyway.
            let shown = endpoint.description.drop(while: { $0 != "/" }).dropFirst(2)
            if let password = endpoint.password, password.count >= 4, !endpoint.host.contains(password),
                endpoint.username?.contains(password) != true
            {
                check(!shown.contains(password), "password in description")
            }
        } catch {
            check(!error.problems.isEmpty, "empty problems")
        }
    }

    static func databaseURL(_ bytes: [UInt8]) {
        // Environment variables cannot hold NUL.
        let url = text(bytes.filter { $0 != 0 })
        _ = PostgresConfiguration.problems(inURL: url)
        _ = PostgresConfiguration(url: url).description
    }

    static func rateLimit(_ bytes: [UInt8]) {
        guard let rule = RateLimitRule(parsing: text(bytes)) else { return }
        check((1...RateLimitRule.maximumLimit).contains(rule.limit), "limit")
        check((1...RateLimitRule.maximumPeriodSeconds).contains(rule.periodSeconds), "period")
        _ = rule.periodSeconds * 1000
    }

    static func headers(_ bytes: [UInt8]) {
        let input = text(bytes)
        let context = TraceContext.continuing(input)
        check(TraceContext.parse(context.traceparent) != nil, "traceparent")
        if let parsed = TraceContext.parse(input) { check(parsed.traceID == context.traceID, "trace kept") }
        if RequestID.isValid(input) { check(input.utf8.count <= 128, "request id") }
        let state = TraceContext.continuing(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", tracestate: input)
        if let members = state.tracestate?.split(separator: ",") {
            check(
                members.count <= 32 && members.reduce(members.count - 1, { $0 + $1.utf8.count }) <= 512 + 31,
                "tracestate")
        }
    }
}
