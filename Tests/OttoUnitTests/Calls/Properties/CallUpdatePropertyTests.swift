import Foundation
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

/// Twilio and CallRail payload mapping: whatever a signed payload holds (numbers beyond Int64,
/// absurd dates, control characters, megabyte strings), the update is within the bounds the
/// `calls` table and the API promise; and a realistic payload maps exactly.
@Suite("Property: call updates")
struct CallUpdatePropertyTests {
    static let keys = [
        "CallSid", "CallStatus", "Direction", "From", "To", "Timestamp", "CallDuration", "RecordingUrl", "RecordingSid",
        "RecordingStatus", "resource_id", "id", "direction", "customer_phone_number", "customer_number",
        "tracking_phone_number", "business_phone_number", "start_time", "duration", "recording", "answered",
    ]

    static let numbers: [Double] = [
        0, -0.0, 1, -1, 0.5, 59.999, 604_800, 604_801, 2_147_483_647, 2_147_483_648, 9_007_199_254_740_994,
        9.223372036854775807e18, 9.3e18, -9.3e18, 1e20, 1e25, 1e300, -1e300, .greatestFiniteMagnitude,
        -.greatestFiniteMagnitude, .leastNonzeroMagnitude, 15_551_234_567,
    ]

    static func value(using random: inout SeededGenerator, depth: Int = 0) -> JSONValue {
        switch Int.random(in: 0..<(depth > 2 ? 5 : 7), using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2:
            return .number(
                Bool.random(using: &random)
                    ? numbers.randomElement(using: &random)!
                    : Double(bitPattern: random.next()))
        case 3, 4: return .string(text(using: &random))
        case 5:
            return .array(
                (0..<Int.random(in: 0...3, using: &random)).map { _ in value(using: &random, depth: depth + 1) })
        default:
            var object: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...3, using: &random) {
                object[keys.randomElement(using: &random)!] = value(using: &random, depth: depth + 1)
            }
            return .object(object)
        }
    }

    static func text(using random: inout SeededGenerator) -> String {
        switch Int.random(in: 0..<8, using: &random) {
        case 0: return String(repeating: "9", count: Int.random(in: 15...400, using: &random))
        case 1:
            return ["completed", "in-progress", "ringing", "no-answer", "outbound-api", "inbound", "bogus"]
                .randomElement(using: &random)!
        case 2: return WebhookTimePropertyTests.seeds.randomElement(using: &random)!
        case 3:
            return "Mon, 16 Aug \(String(repeating: "9", count: Int.random(in: 4...30, using: &random))) 03:45:01 +0000"
        case 4: return "+1 (555) \(Int.random(in: 100...999, using: &random))-4567"
        case 5: return "https://api.twilio.com/Recordings/RE\(Int.random(in: 0...999, using: &random))"
        case 6: return String(repeating: "x", count: Int.random(in: 100...5000, using: &random))
        default: return PropertyInput.text(using: &random)
        }
    }

    /// The bounds every mapped update keeps.
    static func checkBounds(_ update: CallUpdate, _ input: @autoclosure () -> String) {
        let id = update.providerCallID
        #expect(!id.isEmpty && id.utf8.count <= CallUpdate.maximumIdentifierLength, "\(input())")
        #expect(!id.unicodeScalars.contains { $0.properties.generalCategory == .control }, "\(input())")
        #expect(CallStatus.ranks[update.status] != nil || update.status == CallStatus.unknown, "\(input())")
        #expect([nil, "inbound", "outbound"].contains(update.direction), "\(input())")
        if let duration = update.durationSeconds {
            #expect((0...CallUpdate.maximumDurationSeconds).contains(duration), "\(input())")
        }
        for time in [update.startedAt, update.endedAt] {
            if let time { #expect(time >= WebhookTime.earliest && time < WebhookTime.latest, "\(input())") }
        }
        for number in [update.fromNumber, update.toNumber, update.trackingNumber] {
            if let number { #expect(PhoneNumber.e164(number) == number, "\(input()): \(number)") }
        }
        if let url = update.recordingURL {
            #expect(url.hasPrefix("https://") || url.hasPrefix("http://"), "\(input())")
            #expect(url.utf8.count <= CallUpdate.maximumURLLength, "\(input())")
            #expect(!url.unicodeScalars.contains { $0.properties.isWhitespace || $0.value < 0x20 }, "\(input())")
        }
    }

    @Test("random CallRail and Twilio payloads map within bounds or not at all")
    func randomPayloadsStayInBounds() async {
        var random = PropertyInput.generator("call-update-random")
        for iteration in 0..<PropertyInput.iterations * 2 {
            await PropertyInput.pause(iteration)
            var object: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...10, using: &random) {
                object[Self.keys.randomElement(using: &random)!] = Self.value(using: &random)
            }
            let kind = ["pre-call", "call-completed", "call-modified", "call-status", "recording"].randomElement(
                using: &random)!
            for provider in [WebhookProvider.callrail, .twilio] {
                if let update = CallUpdate.from(provider: provider, eventKind: kind, payload: .object(object)) {
                    Self.checkBounds(update, "\(provider) \(kind) \(object)")
                }
            }
        }
    }

    @Test("payload bytes as the worker reads them (JSON text) never trap the mapping")
    func payloadBytesNeverTrap() async {
        var random = PropertyInput.generator("call-update-bytes")
        let seeds = [
            #"{"resource_id":"CAL1","duration":30,"answered":true,"start_time":"2017-04-27T14:37:11.000-04:00"}"#,
            #"{"CallSid":"CA1","CallStatus":"completed","CallDuration":"60","Timestamp":"Mon, 16 Aug 2010 03:45:01 +0000"}"#,
            #"{"id":123,"duration":"45","customer_phone_number":5551234567,"recording":"https://r.example/1"}"#,
        ]
        for iteration in 0..<PropertyInput.iterations * 2 {
            await PropertyInput.pause(iteration)
            let input = PropertyInput.next(seeds: seeds, using: &random)
            guard let payload = try? JSONDecoder().decode(JSONValue.self, from: Data(input)) else { continue }
            for provider in [WebhookProvider.callrail, .twilio] {
                if let update = CallUpdate.from(provider: provider, eventKind: "call-completed", payload: payload) {
                    Self.checkBounds(update, PropertyInput.describe(input))
                }
            }
        }
    }

    @Test("a realistic CallRail or Twilio payload maps exactly to its call")
    func realisticPayloadsMapExactly() async throws {
        var random = PropertyInput.generator("call-update-exact")
        for iteration in 0..<PropertyInput.iterations {
            await PropertyInput.pause(iteration)
            let duration = Int.random(in: 0...CallUpdate.maximumDurationSeconds, using: &random)
            let start = Int.random(in: 946_684_800...4_102_444_800, using: &random)
            let customer = "+1555\(Int.random(in: 1_000_000...9_999_999, using: &random))"
            let business = "+1444\(Int.random(in: 1_000_000...9_999_999, using: &random))"
            let id = "CAL\(String(random.next(), radix: 16))"
            let (year, month, day, hour, minute, second, _) = WebhookTimePropertyTests.civil(start)
            let pad = WebhookTimePropertyTests.pad
            let startText =
                "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))Z"
            let numeric = Bool.random(using: &random)
            let callRail: [String: JSONValue] = [
                "resource_id": .string(id), "answered": .bool(true), "direction": .string("inbound"),
                "duration": numeric ? .number(Double(duration)) : .string(String(duration)),
                "customer_phone_number": numeric ? .number(Double(customer.dropFirst())!) : .string(customer),
                "business_phone_number": .string(business), "start_time": .string(startText),
            ]
            let update = try #require(CallUpdate.callRail(callRail, eventKind: "call-completed"))
            #expect(update.providerCallID == id)
            #expect(update.durationSeconds == duration)
            #expect(update.startedAt == Double(start))
            #expect(update.endedAt == Double(start + duration))
            #expect(update.fromNumber == customer && update.toNumber == business)
            #expect(update.status == "completed")

            let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
            let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            let end = WebhookTimePropertyTests.civil(start + duration)
            let timestamp =
                "\(days[end.6]), \(pad(end.2, 2)) \(months[end.1 - 1]) \(end.0) "
                + "\(pad(end.3, 2)):\(pad(end.4, 2)):\(pad(end.5, 2)) +0000"
            let twilio = try #require(
                CallUpdate.twilio([
                    "CallSid": "CA" + id, "CallStatus": "completed", "Direction": "outbound-api", "From": business,
                    "To": customer, "CallDuration": String(duration), "Timestamp": timestamp,
                ]))
            #expect(twilio.startedAt == Double(start) && twilio.endedAt == Double(start + duration), "\(timestamp)")
            #expect(twilio.durationSeconds == duration && twilio.direction == "outbound")
        }
    }
}
