import Foundation
import OttoTestSupport
import Testing

@testable import OttoTasks

/// The envelope's fast reader (``TaskEnvelopeParser``) against Foundation's `JSONDecoder`:
/// every envelope a worker writes is read on the fast path to the same value, and on any other
/// text the fast path either declines or agrees with `JSONDecoder`, so `TaskEnvelope.decode`
/// accepts and refuses exactly what it did before.
@Suite("Property: task envelope parsing")
struct TaskEnvelopePropertyTests {
    static func decoded(_ text: String) -> TaskEnvelope? {
        try? JSONDecoder().decode(TaskEnvelope.self, from: Data(text.utf8))
    }

    static func real(using random: inout SeededGenerator) -> Double {
        switch Int.random(in: 0..<7, using: &random) {
        case 0: return Double(Int.random(in: 0...2_000_000_000, using: &random))
        case 1: return Double.random(in: 1_600_000_000...2_000_000_000, using: &random)
        case 2:
            return [0, -0.0, 1e-300, .leastNonzeroMagnitude, 1e300, .greatestFiniteMagnitude, 0.1, 300].randomElement(
                using: &random)!
        case 3: return Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &random))
        case 4, 5:
            // Up to 15 significant digits with up to 22 after the point: the parser's exact
            // path (a unix time with milliseconds is one), which must round as strtod does.
            let digits = Double(Int.random(in: 0...999_999_999_999_999, using: &random))
            let scale = (0..<Int.random(in: 0...22, using: &random)).reduce(1.0) { power, _ in power * 10 }
            return (Bool.random(using: &random) ? 1 : -1) * digits / scale
        default: return Double.random(in: -1e6...1e6, using: &random)
        }
    }

    static func integer(using random: inout SeededGenerator) -> Int {
        Bool.random(using: &random)
            ? Int.random(in: 0...100, using: &random) : [Int.min, Int.max, -1, 0].randomElement(using: &random)!
    }

    static func envelope(using random: inout SeededGenerator) -> TaskEnvelope {
        func text() -> String { PropertyInput.text(using: &random) }
        func maybe<T>(_ make: () -> T) -> T? { Bool.random(using: &random) ? make() : nil }
        var envelope = TaskEnvelope(
            id: text(), name: text(), arguments: Bool.random(using: &random) ? "{\"a\":\"\(text())\"}" : text(),
            queue: text(), attempt: integer(using: &random), maxAttempts: integer(using: &random),
            enqueuedAt: real(using: &random), dueAt: real(using: &random), tenantID: maybe(text),
            dedupKey: maybe(text), traceparent: maybe(text), timeLimit: real(using: &random),
            resultTTL: maybe { integer(using: &random) }, lastError: maybe(text))
        envelope.firstFailedAt = maybe { real(using: &random) }
        envelope.deferrals = maybe { integer(using: &random) }
        envelope.firstDeferredAt = maybe { real(using: &random) }
        return envelope
    }

    @Test("every envelope encoded() writes is read on the fast path, to the envelope JSONDecoder reads")
    func writtenEnvelopes() async throws {
        var random = PropertyInput.generator("envelope-written")
        for iteration in 0..<PropertyInput.iterations {
            await PropertyInput.pause(iteration)
            let envelope = Self.envelope(using: &random)
            guard let text = try? envelope.encoded() else { continue }
            let fast = TaskEnvelopeParser.parse(text)
            #expect(fast != nil, "\(text.debugDescription)")
            #expect(fast == envelope, "\(text.debugDescription)")
            #expect(fast == Self.decoded(text), "\(text.debugDescription)")
        }
    }

    @Test("on any other text the fast path declines or agrees with JSONDecoder")
    func anyText() async throws {
        var random = PropertyInput.generator("envelope-any")
        let written = try TaskEnvelopeTests.envelope.encoded()
        let seeds = [
            written,
            #"{ "id" : "a\n\u00e9\ud83d\ude00\"" , "name":"otto.ping","args":"{\"x\":[1,2]}","queue":"default","attempt":1,"max_attempts":3,"enqueued_at":1.7e9,"due_at":-0,"time_limit":30,"tenant_id":null,"extra":"x"}"#,
            #"{"id":"a","name":"n","args":"{}","queue":"q","attempt":1.0,"max_attempts":3,"enqueued_at":1,"due_at":1,"time_limit":1}"#,
            #"{"id":"a","name":"n","args":"{}","queue":"q","attempt":1,"max_attempts":3,"enqueued_at":1,"due_at":1,"time_limit":1,"nested":{"k":[true,false]}}"#,
        ]
        var fastPaths = 0
        for iteration in 0..<PropertyInput.iterations * 2 {
            await PropertyInput.pause(iteration)
            let text = PropertyInput.string(PropertyInput.next(seeds: seeds, using: &random))
            let slow = Self.decoded(text)
            if let fast = TaskEnvelopeParser.parse(text) {
                fastPaths += 1
                #expect(fast == slow, "\(text.debugDescription)")
            }
            #expect((try? TaskEnvelope.decode(text)) == slow, "\(text.debugDescription)")
        }
        #expect(fastPaths > 0)
    }

    @Test("encoded() writes what JSONEncoder wrote: the same keys and values, non-finite times refused")
    func writerMatchesJSONEncoder() async throws {
        var random = PropertyInput.generator("envelope-writer")
        var refused = 0
        for iteration in 0..<PropertyInput.iterations {
            await PropertyInput.pause(iteration)
            let envelope = Self.envelope(using: &random)
            let reference = try? JSONEncoder().encode(envelope)
            guard let reference else {
                refused += 1
                #expect(throws: EncodingError.self) { try envelope.encoded() }
                continue
            }
            let written = try envelope.encoded()
            let expected = try #require(try JSONSerialization.jsonObject(with: reference) as? NSDictionary)
            let actual = try #require(try JSONSerialization.jsonObject(with: Data(written.utf8)) as? NSDictionary)
            #expect(actual == expected, "\(written.debugDescription)")
            #expect(try JSONDecoder().decode(TaskEnvelope.self, from: Data(written.utf8)) == envelope)
        }
        #expect(refused > 0, "the generator makes non-finite times")
    }
}
