import Foundation
import HTTPTypes
import HummingbirdTesting
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

@testable import OttoAPI

/// The pipeline's tenant API through the router otto-api serves, with real session tokens and
/// rows inserted in the tenants' scopes: `GET /v1/calls/{id}/transcript`, `/analysis`,
/// `GET /v1/usage`, the call's `workflow` and reprocess's `from_step`.
@Suite("Pipeline API")
struct PipelineRoutesTests {
    typealias Seed = CallsRouteTests.Seed

    static func get(_ client: any TestClientProtocol, _ uri: String, _ seed: Seed) async throws
        -> CallsRouteTests.Answer
    {
        try await CallsRouteTests.send(client, .get, uri, token: seed.token)
    }

    @Test("a call's transcript and analysis answer in the document's shape, times as date-times")
    func shapes() async throws {
        try await PipelineTestApp.run { client, dependencies in
            // setup
            let pool = dependencies.postgres!
            let seed = try await CallsRouteTests.seed(dependencies, callSID: "CA-pipe-shape")
            let recording = try await PipelineRows.recording(pool, tenant: seed.tenant, callID: seed.callID)
            try await PipelineRows.transcript(pool, tenant: seed.tenant, callID: seed.callID, recordingID: recording)
            try await PipelineRows.analysis(pool, tenant: seed.tenant, callID: seed.callID)

            // MUT
            let transcript = try await Self.get(client, "/v1/calls/\(seed.callID)/transcript", seed)
            let analysis = try await Self.get(client, "/v1/calls/\(seed.callID)/analysis", seed)

            // validate
            #expect(transcript.status == .ok, "\(transcript.body)")
            #expect(transcript.contentType == "application/json")
            let t = transcript.json
            #expect(t["call_id"] as? String == seed.callID)
            #expect(t["recording_id"] as? String == recording)
            #expect(t["channels"] as? Int == 2)
            #expect(t["duration_seconds"] as? Double == 125.4)
            #expect(t["model"] as? String == "nova-3")
            #expect(t["model_name"] as? String == "general-nova-3")
            #expect(t["request_id"] as? String == "req-1")
            #expect(t["created_at"] as? String == "2026-01-31T12:03:10Z")
            #expect(t["updated_at"] as? String == "2026-01-31T12:03:20Z")
            let utterances = try #require(t["utterances"] as? [[String: Any]], "\(transcript.body)")
            #expect(utterances.count == 2)
            #expect(utterances.map { $0["channel"] as? Int } == [0, 1])
            #expect(utterances.first?["start"] as? Double == 0.32)
            #expect(utterances.first?["end"] as? Double == 2.9)
            #expect(utterances.first?["confidence"] as? Double == 0.97)
            #expect(utterances.first?["text"] as? String == "Thanks for calling, this is Dana.")
            #expect(Set(utterances.first?.keys.map { $0 } ?? []) == ["channel", "start", "end", "confidence", "text"])

            #expect(analysis.status == .ok, "\(analysis.body)")
            let a = analysis.json
            #expect(a["call_id"] as? String == seed.callID)
            #expect(a["summary"] as? String == "The caller booked a visit.")
            #expect(a["sentiment"] as? String == "positive")
            #expect(a["outcome"] as? String == "appointment_booked")
            #expect(a["objections"] as? [String] == ["price"])
            #expect(a["next_steps"] as? [String] == ["send the confirmation", "call back Tuesday"])
            #expect(a["lead_score"] as? Int == 82)
            #expect(a["model"] as? String == "gpt-4o-mini-2024-07-18")
            let talk = try #require(a["talk_time"] as? [String: Any], "\(analysis.body)")
            #expect(talk["ratio"] as? Double == 0.46)
            #expect(talk["silence_seconds"] as? Double == 9.5)
            #expect(talk["overlap_seconds"] as? Double == 1.2)
            #expect(talk["by_party"] as? [String: Double] == ["0": 52.3, "1": 61.4])
            let usage = try #require(a["usage"] as? [String: Any], "\(analysis.body)")
            #expect(usage["prompt_tokens"] as? Int == 1840)
            #expect(usage["completion_tokens"] as? Int == 212)
            #expect(a["created_at"] as? String == "2026-01-31T12:03:30Z")
            #expect(a["updated_at"] as? String == "2026-01-31T12:03:40Z")
        }
    }

    @Test(
        "a missing call and a call without results are 404 problems with different details; another tenant's is missing"
    )
    func notFound() async throws {
        try await PipelineTestApp.run { client, dependencies in
            let pool = dependencies.postgres!
            let a = try await CallsRouteTests.seed(dependencies, callSID: "CA-pipe-a")
            let b = try await CallsRouteTests.seed(dependencies, callSID: "CA-pipe-b")
            try await PipelineRows.transcript(pool, tenant: a.tenant, callID: a.callID)
            try await PipelineRows.analysis(pool, tenant: a.tenant, callID: a.callID)

            for part in ["transcript", "analysis"] {
                let own = try await Self.get(client, "/v1/calls/\(a.callID)/\(part)", a)
                #expect(own.status == .ok, "\(part): \(own.body)")

                let foreign = try await Self.get(client, "/v1/calls/\(a.callID)/\(part)", b)
                #expect(foreign.status == .notFound, "\(part)")
                #expect(foreign.isProblem, "\(part)")
                #expect(foreign.json["detail"] as? String == "No such call.", "\(part)")
                #expect(!foreign.body.contains("Dana") && !foreign.body.contains("booked"), "\(part)")

                let unknown = try await Self.get(client, "/v1/calls/\(UUID().uuidString.lowercased())/\(part)", a)
                #expect(unknown.status == .notFound, "\(part)")
                #expect(unknown.json["detail"] as? String == "No such call.", "\(part)")

                let notYet = try await Self.get(client, "/v1/calls/\(b.callID)/\(part)", b)
                #expect(notYet.status == .notFound, "\(part)")
                #expect(notYet.isProblem, "\(part)")
                #expect(notYet.json["detail"] as? String == "The call has no \(part) yet.", "\(part)")

                let missing = try await CallsRouteTests.send(
                    client, .get, "/v1/calls/\(a.callID)/\(part)", token: nil)
                #expect(missing.status == .unauthorized, "\(part)")
            }
        }
    }

    @Test("usage defaults to the last 30 UTC days, lists only days with usage, sums them, and is the caller's own")
    func usage() async throws {
        try await PipelineTestApp.run { client, dependencies in
            // setup: today, 29 days ago (in the default range), 30 days ago (out of it), another tenant's today
            let pool = dependencies.postgres!
            let a = try await CallsRouteTests.seed(dependencies, callSID: "CA-usage-a")
            let b = try await CallsRouteTests.seed(dependencies, callSID: "CA-usage-b")
            let today = PipelineTestApp.today
            for (offset, seconds) in [(0, 120.5), (-29, 60.0), (-30, 1000.0)] {
                try await PipelineRows.usage(
                    pool, tenant: a.tenant, day: today.adding(days: offset).description, audioSeconds: seconds,
                    transcriptions: 1, promptTokens: 1000, completionTokens: 100, analyses: 1)
            }
            try await PipelineRows.usage(
                pool, tenant: b.tenant, day: today.description, audioSeconds: 5, transcriptions: 9,
                promptTokens: 9, completionTokens: 9, analyses: 9)

            // MUT
            let answer = try await Self.get(client, "/v1/usage", a)

            // validate
            #expect(answer.status == .ok, "\(answer.body)")
            let json = answer.json
            #expect(json["from"] as? String == today.adding(days: -29).description)
            #expect(json["to"] as? String == today.description)
            let days = try #require(json["days"] as? [[String: Any]], "\(answer.body)")
            #expect(days.map { $0["day"] as? String } == [today.adding(days: -29).description, today.description])
            #expect(days.last?["audio_seconds"] as? Double == 120.5)
            #expect(days.last?["transcriptions"] as? Int == 1)
            #expect(days.last?["prompt_tokens"] as? Int == 1000)
            #expect(days.last?["completion_tokens"] as? Int == 100)
            #expect(days.last?["analyses"] as? Int == 1)
            let totals = try #require(json["totals"] as? [String: Any], "\(answer.body)")
            #expect(totals["audio_seconds"] as? Double == 180.5)
            #expect(totals["transcriptions"] as? Int == 2)
            #expect(totals["prompt_tokens"] as? Int == 2000)
            #expect(totals["completion_tokens"] as? Int == 200)
            #expect(totals["analyses"] as? Int == 2)

            // An explicit range reaches the older day; tenant B sees only its own.
            let older = today.adding(days: -30).description
            let ranged = try await Self.get(client, "/v1/usage?from=\(older)&to=\(older)", a)
            #expect((ranged.json["days"] as? [[String: Any]])?.map { $0["audio_seconds"] as? Double } == [1000.0])
            let other = try await Self.get(client, "/v1/usage", b)
            #expect((other.json["days"] as? [[String: Any]])?.count == 1)
            #expect((other.json["totals"] as? [String: Any])?["transcriptions"] as? Int == 9)

            // No usage at all: an empty list and zero totals.
            let empty = try await Self.get(client, "/v1/usage?from=2001-01-01&to=2001-01-31", a)
            #expect(empty.status == .ok)
            #expect((empty.json["days"] as? [Any])?.isEmpty == true)
            #expect((empty.json["totals"] as? [String: Any])?["audio_seconds"] as? Double == 0)
        }
    }

    @Test("usage refuses from after to, more than 366 days and dates that are not YYYY-MM-DD with 400 problems")
    func usageErrors() async throws {
        try await PipelineTestApp.run { client, dependencies in
            let seed = try await CallsRouteTests.seed(dependencies, callSID: "CA-usage-errors")
            for (query, detail) in [
                ("from=2026-02-01&to=2026-01-31", "from must not be after to."),
                ("from=2024-01-01&to=2025-01-01", "The range from from to to covers at most 366 days."),
                ("from=2026-02-30", "from must be a date such as 2026-01-31 (YYYY-MM-DD)."),
                ("to=yesterday", "to must be a date such as 2026-01-31 (YYYY-MM-DD)."),
            ] {
                let answer = try await Self.get(client, "/v1/usage?\(query)", seed)
                #expect(answer.status == .badRequest, "\(query): \(answer.body)")
                #expect(answer.isProblem, "\(query)")
                #expect(answer.json["detail"] as? String == detail, "\(query)")
            }
            let leap = try await Self.get(client, "/v1/usage?from=2024-01-01&to=2024-12-31", seed)
            #expect(leap.status == .ok, "366 days: \(leap.body)")
        }
    }

    @Test("a call's workflow is null without a journal, and the journal's state with date-times when there is one")
    func workflow() async throws {
        // Without a journal (the API as main builds it today).
        try await PipelineTestApp.run { client, dependencies in
            let seed = try await CallsRouteTests.seed(dependencies, callSID: "CA-wf-none")
            let call = try await Self.get(client, "/v1/calls/\(seed.callID)", seed)
            #expect(call.status == .ok)
            #expect(call.json["id"] as? String == seed.callID)
            #expect(call.json["workflow"] == nil || call.json["workflow"] is NSNull, "\(call.body)")
        }

        // With a journal that knows the call's workflow.
        let seedBox = try await PipelineTestApp.run { _, dependencies in
            try await CallsRouteTests.seed(dependencies, callSID: "CA-wf-some")
        }
        let status = WorkflowStatus(
            workflow: "call_analysis", subjectID: seedBox.callID, run: 2, state: .running,
            steps: [
                .init(
                    name: "fetch", state: .succeeded, attempts: 1, startedAt: 1_769_860_927, finishedAt: 1_769_860_928),
                .init(
                    name: "transcribe", state: .running, attempts: 2, error: "deepgram: 503",
                    deferredUntil: 1_769_861_000, startedAt: 1_769_860_960),
                .init(name: "analyse", state: .pending, attempts: 0),
            ], createdAt: 1_769_860_927, updatedAt: 1_769_860_960)
        try await PipelineTestApp.run(workflows: OneWorkflowJournal(tenantID: seedBox.tenant, status: status)) {
            client, dependencies in
            let call = try await Self.get(client, "/v1/calls/\(seedBox.callID)", seedBox)
            #expect(call.status == .ok, "\(call.body)")
            let workflow = try #require(call.json["workflow"] as? [String: Any], "\(call.body)")
            #expect(workflow["run"] as? Int == 2)
            #expect(workflow["state"] as? String == "running")
            #expect(workflow["created_at"] as? String == "2026-01-31T12:02:07Z")
            #expect(workflow["updated_at"] as? String == "2026-01-31T12:02:40Z")
            let steps = try #require(workflow["steps"] as? [[String: Any]])
            #expect(steps.map { $0["name"] as? String } == ["fetch", "transcribe", "analyse"])
            #expect(steps.map { $0["state"] as? String } == ["succeeded", "running", "pending"])
            #expect(steps.map { $0["attempts"] as? Int } == [1, 2, 0])
            #expect(steps[0]["finished_at"] as? String == "2026-01-31T12:02:08Z")
            #expect(steps[1]["error"] as? String == "deepgram: 503")
            #expect(steps[1]["deferred_until"] as? String == "2026-01-31T12:03:20Z")
            #expect(steps[1]["started_at"] as? String == "2026-01-31T12:02:40Z")

            // The list leaves it out; another call of the same tenant has none.
            let list = try await Self.get(client, "/v1/calls", seedBox)
            #expect(!list.body.contains("\"workflow\""), "\(list.body)")
            let other = try await CallsRouteTests.seed(dependencies, callSID: "CA-wf-other")
            let otherCall = try await Self.get(client, "/v1/calls/\(other.callID)", other)
            #expect(otherCall.status == .ok)
            #expect(otherCall.json["workflow"] == nil, "\(otherCall.body)")
        }
    }

    @Test("reprocess accepts from_step and hands it to the task; an unknown step is a 400 problem and enqueues nothing")
    func reprocessFromStep() async throws {
        try await PipelineTestApp.run(celery: true) { client, dependencies in
            let seed = try await CallsRouteTests.seed(dependencies, callSID: "CA-from-step")
            let redis = dependencies.redis!
            let stream = dependencies.keys.stream("default")

            for body in [#"{"from_step":"upload"}"#, #"{"from_step":null}"#, #"{"from_step":2}"#] {
                let bad = try await CallsRouteTests.send(
                    client, .post, "/v1/calls/\(seed.callID)/reprocess", token: seed.token, body: body)
                #expect(bad.status == .badRequest, "\(body): \(bad.body)")
                #expect(bad.isProblem, "\(body)")
                #expect(
                    bad.json["detail"] as? String == "from_step must be one of fetch, transcribe, analyse.", "\(body)")
            }
            #expect(try await redis.send(["XLEN", stream]).int == 0, "a refused reprocess enqueued a task")

            let accepted = try await CallsRouteTests.send(
                client, .post, "/v1/calls/\(seed.callID)/reprocess", token: seed.token,
                body: #"{"from_step":"transcribe","reason":"new model"}"#)
            #expect(accepted.status == .accepted, "\(accepted.body)")
            let whole = try await CallsRouteTests.send(
                client, .post, "/v1/calls/\(seed.callID)/reprocess", token: seed.token, body: #"{"reason":"all"}"#)
            #expect(whole.status == .accepted, "\(whole.body)")

            let entries = try await redis.send(["XRANGE", stream, "-", "+"])
            let arguments = try (entries.array ?? []).map { entry in
                let text = try #require(entry.array?.last?.array?.last?.string)
                let envelope = try JSONDecoder().decode(TaskEnvelope.self, from: Data(text.utf8))
                return try JSONDecoder().decode(
                    ProcessWebhookEventTask.Arguments.self, from: Data(envelope.arguments.utf8))
            }
            #expect(arguments.map(\.fromStep) == ["transcribe", nil])
            #expect(arguments.map(\.reason) == ["new model", "all"])
        }
    }
}
