import Foundation
import OttoPostgres
import OttoTestSupport
import Testing

@testable import OttoCalls
@testable import OttoCore
@testable import OttoProcessKit
@testable import OttoTasks

/// Form decoding and call cursors: any input decodes or is refused, never traps; encoding and
/// decoding round-trip.
@Suite("Property: forms and cursors")
struct FormAndCursorPropertyTests {
    static let formSeeds = [
        "CallSid=CA1&CallStatus=completed&From=%2B15551234567&Caller+Name=Jane+Doe", "a=%zz", "Caf%C3%A9=%E2%98%8E&&=",
        "Flag&Empty=&x=1=2",
    ]

    @Test("any body parses to pairs with names, or is refused as malformed")
    func formAnyInput() async {
        var random = PropertyInput.generator("form-any")
        for iteration in 0..<PropertyInput.iterations * 4 {
            await PropertyInput.pause(iteration)
            let input = PropertyInput.next(seeds: Self.formSeeds, using: &random)
            guard let pairs = try? FormURLEncoded.parse(PropertyInput.string(input)) else { continue }
            #expect(pairs.allSatisfy { !$0.name.isEmpty }, "\(PropertyInput.describe(input))")
            // What parsed re-encodes to a body that parses to the same pairs.
            let body = pairs.map { FormURLEncoded.encode($0.name) + "=" + FormURLEncoded.encode($0.value) }
                .joined(separator: "&")
            let again = try? FormURLEncoded.parse(body)
            #expect(again?.map(\.name) == pairs.map(\.name), "\(PropertyInput.describe(input))")
            #expect(again?.map(\.value) == pairs.map(\.value), "\(PropertyInput.describe(input))")
        }
    }

    @Test("random Unicode pairs survive encode then parse, in order, repeats kept")
    func formRoundTrip() async throws {
        var random = PropertyInput.generator("form-round-trip")
        for iteration in 0..<PropertyInput.iterations {
            await PropertyInput.pause(iteration)
            var pairs: [(name: String, value: String)] = []
            for _ in 0..<Int.random(in: 0...6, using: &random) {
                var name = PropertyInput.text(using: &random)
                if name.isEmpty { name = "n" }
                pairs.append((name, PropertyInput.text(using: &random)))
            }
            if let first = pairs.first, Bool.random(using: &random) { pairs.append(first) }
            let body = pairs.map { FormURLEncoded.encode($0.name) + "=" + FormURLEncoded.encode($0.value) }
                .joined(separator: "&")
            let parsed = try FormURLEncoded.parse(body)
            #expect(parsed.map(\.name) == pairs.map(\.name), "\(body)")
            #expect(parsed.map(\.value) == pairs.map(\.value), "\(body)")
        }
    }

    /// Sort keys as PostgreSQL prints `timestamptz::text` (DateStyle ISO), offsets included.
    static func sortKey(using random: inout SeededGenerator) -> String {
        let pad = WebhookTimePropertyTests.pad
        let seconds = Int.random(in: Int(WebhookTime.earliest)..<Int(WebhookTime.latest), using: &random)
        let (year, month, day, hour, minute, second, _) = WebhookTimePropertyTests.civil(seconds)
        var key = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) \(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
        if Bool.random(using: &random) { key += "." + pad(Int.random(in: 0..<1_000_000, using: &random), 6) }
        switch Int.random(in: 0..<3, using: &random) {
        case 0: key += "+00"
        case 1: key += "-04:30"
        default: key += "+05:45"
        }
        return key
    }

    /// A UUID in text form drawn from the seeded generator (upper-case, as `UUID` prints it).
    static func uuid(using random: inout SeededGenerator) -> String {
        let hex = (0..<4).map { _ in
            let text = String(UInt32.random(in: 0...UInt32.max, using: &random), radix: 16, uppercase: true)
            return String(repeating: "0", count: 8 - text.count) + text
        }.joined()
        let characters = Array(hex)
        let groups = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }
        return groups.joined(separator: "-")
    }

    @Test("cursors the API issues decode to themselves")
    func cursorRoundTrip() async throws {
        var random = PropertyInput.generator("cursor-round-trip")
        for iteration in 0..<PropertyInput.iterations {
            await PropertyInput.pause(iteration)
            let uuid = Self.uuid(using: &random)
            let cursor = CallCursor(
                sortKey: Self.sortKey(using: &random),
                id: Bool.random(using: &random) ? uuid : uuid.lowercased())
            let decoded = try #require(CallCursor(encoded: cursor.encoded), "\(cursor)")
            #expect(decoded == cursor)
            #expect(
                cursor.encoded.utf8.allSatisfy {
                    $0 == 0x2D || $0 == 0x5F || (0x30...0x39).contains($0)
                        || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0)
                })
        }
    }

    @Test("any text decodes to nil or to a cursor whose sort key PostgreSQL can read")
    func cursorAnyInput() async {
        var random = PropertyInput.generator("cursor-any")
        let valid = CallCursor(sortKey: "2026-01-31 12:00:00.123456+00", id: "6f1c2b8e-3a4d-4c5e-9f10-2b3c4d5e6f70")
        for iteration in 0..<PropertyInput.iterations * 4 {
            await PropertyInput.pause(iteration)
            // Mutate both the encoded cursor and the text inside it.
            let input: [UInt8]
            if Bool.random(using: &random) {
                input = PropertyInput.next(seeds: [valid.encoded], using: &random)
            } else {
                let inner = PropertyInput.mutate(Array((valid.sortKey + "|" + valid.id).utf8), using: &random)
                input = Array(
                    Data(inner).base64EncodedString().replacing("+", with: "-").replacing("/", with: "_")
                        .replacing("=", with: "").utf8)
            }
            guard let cursor = CallCursor(encoded: PropertyInput.string(input)) else { continue }
            let instant = PostgresTimestamp.parse(cursor.sortKey)
            #expect(instant != nil, "\(PropertyInput.describe(input)) -> \(cursor)")
            if let instant {
                let seconds = instant.timeIntervalSince1970
                #expect(seconds >= WebhookTime.earliest && seconds < WebhookTime.latest, "\(cursor)")
            }
            #expect(UUIDText.isValid(cursor.id))
        }
    }
}
