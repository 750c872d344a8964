import Foundation
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

/// Rate-limit rules and task-argument JSON: any text parses within bounds or is refused, and
/// valid values round-trip.
@Suite("Property: rules and JSON values")
struct ConfigurationTextPropertyTests {
    @Test("any RATE_LIMIT_* text is refused or a rule inside the bounds the limiter computes with")
    func rateLimitAnyInput() async {
        var random = PropertyInput.generator("rate-limit-any")
        let seeds = ["600/1m", "10/30s", "5000/h", "1000000/24h", "1/99999999999999999m"]
        for iteration in 0..<PropertyInput.iterations * 4 {
            await PropertyInput.pause(iteration)
            let input = PropertyInput.next(seeds: seeds, using: &random)
            guard let rule = RateLimitRule(parsing: PropertyInput.string(input)) else { continue }
            #expect((1...RateLimitRule.maximumLimit).contains(rule.limit), "\(PropertyInput.describe(input))")
            #expect(
                (1...RateLimitRule.maximumPeriodSeconds).contains(rule.periodSeconds),
                "\(PropertyInput.describe(input))")
        }
    }

    @Test("every rule inside the bounds parses from N/COUNTunit, and none outside does")
    func rateLimitRoundTrip() async {
        var random = PropertyInput.generator("rate-limit-round-trip")
        for iteration in 0..<PropertyInput.iterations {
            await PropertyInput.pause(iteration)
            let limit =
                Bool.random(using: &random)
                ? Int.random(in: 1...RateLimitRule.maximumLimit, using: &random)
                : Int.random(in: 1...Int.max, using: &random)
            let (unit, seconds) = [("s", 1), ("m", 60), ("h", 3600)].randomElement(using: &random)!
            let count =
                Bool.random(using: &random)
                ? Int.random(in: 1...RateLimitRule.maximumPeriodSeconds / seconds, using: &random)
                : Int.random(in: 1...Int.max, using: &random)
            let text = "\(limit)/\(count)\(unit)"
            let inBounds =
                limit <= RateLimitRule.maximumLimit && count <= RateLimitRule.maximumPeriodSeconds / seconds
            let rule = RateLimitRule(parsing: text)
            #expect((rule != nil) == inBounds, "\(text)")
            if let rule {
                #expect(rule == RateLimitRule(limit: limit, periodSeconds: count * seconds), "\(text)")
                #expect(rule.description == "\(limit);w=\(count * seconds)")
            }
        }
    }

    static func value(depth: Int = 0, using random: inout SeededGenerator) -> JSONValue {
        switch Int.random(in: 0..<(depth > 3 ? 4 : 6), using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2:
            let double = Double(bitPattern: random.next())
            return .number(double.isFinite ? double : Double(Int32.random(in: .min ... .max, using: &random)))
        case 3: return .string(PropertyInput.text(using: &random))
        case 4:
            return .array(
                (0..<Int.random(in: 0...4, using: &random)).map { _ in value(depth: depth + 1, using: &random) })
        default:
            var object: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &random) {
                object[PropertyInput.text(using: &random)] = value(depth: depth + 1, using: &random)
            }
            return .object(object)
        }
    }

    @Test("JSON values round-trip through JSON text, and any bytes decode or are refused")
    func jsonValues() async throws {
        var random = PropertyInput.generator("json-value")
        for iteration in 0..<PropertyInput.iterations {
            await PropertyInput.pause(iteration)
            let value = Self.value(using: &random)
            let text = try JSONEncoder().encode(value)
            #expect(
                try JSONDecoder().decode(JSONValue.self, from: text) == value,
                "\(String(decoding: text, as: UTF8.self))")
        }
        let seeds = [#"{"a":[1,2.5,-1e300,"x",null,true,{"b":{}}]}"#, "[[[[[[]]]]]]", #""\ud800""#]
        for iteration in 0..<PropertyInput.iterations * 2 {
            await PropertyInput.pause(iteration)
            let input = PropertyInput.next(seeds: seeds, using: &random)
            if let value = try? JSONDecoder().decode(JSONValue.self, from: Data(input)) {
                let again = try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(value))
                #expect(again == value, "\(PropertyInput.describe(input))")
            }
        }
    }
}
