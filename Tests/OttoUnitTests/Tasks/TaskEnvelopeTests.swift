import Foundation
import Testing

@testable import OttoTasks

/// The JSON of a task envelope: the field names workers of every release read, and the round trip.
@Suite("Task envelope")
struct TaskEnvelopeTests {
    static let envelope = TaskEnvelope(
        id: "6f1c2b8e-3a4d-4c5e-9f10-2b3c4d5e6f70", name: "process_webhook_event", arguments: "{\"event_id\":\"e1\"}",
        queue: "critical", attempt: 2, maxAttempts: 5, enqueuedAt: 1_700_000_000.123, dueAt: 1_700_000_004.5,
        tenantID: "t1", dedupKey: "beat:cleanup:1700000000",
        traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", timeLimit: 300, resultTTL: 3600,
        lastError: "boom", firstFailedAt: 1_700_000_001.25)

    @Test("an envelope survives encode then decode")
    func roundTrip() throws {
        #expect(try TaskEnvelope.decode(Self.envelope.encoded()) == Self.envelope)
        var bare = Self.envelope
        bare.tenantID = nil
        bare.dedupKey = nil
        bare.traceparent = nil
        bare.resultTTL = nil
        bare.lastError = nil
        bare.firstFailedAt = nil
        #expect(try TaskEnvelope.decode(bare.encoded()) == bare)
    }

    @Test("the JSON uses the snake_case field names")
    func fieldNames() throws {
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(Self.envelope.encoded().utf8)) as? [String: Any])
        #expect(
            Set(object.keys) == [
                "id", "name", "args", "queue", "attempt", "max_attempts", "enqueued_at", "due_at", "tenant_id",
                "dedup_key", "traceparent", "time_limit", "result_ttl", "last_error", "first_failed_at",
            ])
        #expect(object["args"] as? String == "{\"event_id\":\"e1\"}")
        #expect(object["max_attempts"] as? Int == 5)
        #expect(object["due_at"] as? Double == 1_700_000_004.5)
        #expect(object["first_failed_at"] as? Double == 1_700_000_001.25)
    }

    @Test("an envelope of an earlier release, without the optional fields, decodes")
    func earlierRelease() throws {
        let text = """
            {"id":"a","name":"otto.ping","args":"{}","queue":"default","attempt":1,"max_attempts":3,\
            "enqueued_at":1700000000,"due_at":1700000000,"time_limit":30}
            """
        let envelope = try TaskEnvelope.decode(text)
        #expect(envelope.name == "otto.ping")
        #expect(envelope.maxAttempts == 3)
        #expect(envelope.timeLimit == 30)
        #expect(envelope.firstFailedAt == nil)
        #expect(envelope.tenantID == nil)
        #expect(envelope.resultTTL == nil)
    }

    @Test("an envelope missing a required field is refused")
    func missingField() {
        #expect(throws: (any Error).self) {
            try TaskEnvelope.decode(#"{"id":"a","name":"otto.ping","args":"{}","queue":"default"}"#)
        }
        #expect(throws: (any Error).self) { try TaskEnvelope.decode("not json") }
    }

    @Test("the trace id is the traceparent's second field when it has 32 digits")
    func traceID() {
        #expect(Self.envelope.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        var other = Self.envelope
        other.traceparent = "00-short-00f067aa0ba902b7-01"
        #expect(other.traceID == nil)
        other.traceparent = nil
        #expect(other.traceID == nil)
    }

    @Test("the fast reader takes spacing, any key order, null optionals, escapes and unknown scalar keys")
    func fastPath() throws {
        let text = """
             { "traceparent" : null , "time_limit":30, "due_at":1.7e9,"enqueued_at":-0,"max_attempts":3,\
            "attempt":1,"queue":"q\\u00e9","args":"{\\"k\\":\\"\\ud83d\\ude00\\t\\/\\"}","name":"otto.ping",\
            "id":"a","added_later":"x","count":12 }\n
            """
        let envelope = try #require(TaskEnvelopeParser.parse(text), "\(text)")
        #expect(envelope.queue == "q\u{e9}")
        #expect(envelope.arguments == "{\"k\":\"\u{1F600}\t/\"}")
        #expect(envelope.dueAt == 1.7e9 && envelope.enqueuedAt == 0 && envelope.traceparent == nil)
        #expect(envelope == (try JSONDecoder().decode(TaskEnvelope.self, from: Data(text.utf8))))
    }

    @Test("what the fast reader declines, JSONDecoder decides: the same envelope, or the same refusal")
    func fallback() throws {
        let base =
            #""id":"a","name":"n","args":"{}","queue":"q","max_attempts":3,"enqueued_at":1,"due_at":1,"time_limit":1"#
        // Declined by the fast reader, decoded by JSONDecoder.
        for text in [
            "{\(base),\"attempt\":1,\"extra\":{\"nested\":[true]}}", "{\(base),\"\\u0061ttempt\":1}",
            // Foundation's reader allows a trailing comma; the fast one leaves it to it.
            "{\(base),\"attempt\":1,}",
        ] {
            #expect(TaskEnvelopeParser.parse(text) == nil, "\(text)")
            #expect(try TaskEnvelope.decode(text).attempt == 1, "\(text)")
        }
        // A boolean member it does not know is skipped, as JSONDecoder skips it (the scanner
        // reads booleans since the arguments' decoder shares it); one where a field is due is not.
        let flagged = "{\(base),\"attempt\":1,\"flag\":true}"
        #expect(
            TaskEnvelopeParser.parse(flagged) == (try JSONDecoder().decode(TaskEnvelope.self, from: Data(flagged.utf8)))
        )
        #expect(TaskEnvelopeParser.parse(flagged) != nil)
        #expect(TaskEnvelopeParser.parse("{\(base),\"attempt\":true}") == nil)
        #expect(throws: (any Error).self) { try TaskEnvelope.decode("{\(base),\"attempt\":true}") }
        // Refused by both.
        for text in [
            "{\(base)}", "{\(base),\"attempt\":\"1\"}", "{\(base),\"attempt\":1e400}",
            "{\(base),\"attempt\":99999999999999999999}", "{\(base),\"attempt\":01}",
            "{\(base),\"attempt\":1} x", "{\(base),\"attempt\":null}",
            "{\(base),\"attempt\":1,\"tenant_id\":\"\\ud800\"}",
            "{\(base),\"attempt\":1,\"tenant_id\":\"a\u{01}b\"}", "[]", "",
        ] {
            #expect(TaskEnvelopeParser.parse(text) == nil, "\(text)")
            #expect(throws: (any Error).self, "\(text)") { try TaskEnvelope.decode(text) }
        }
    }
}
