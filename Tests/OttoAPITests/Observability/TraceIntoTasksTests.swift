import Foundation
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

/// Issue 11: the request's traceparent reaches the tasks the real routes enqueue. Through real
/// processes: otto-api with ENABLE_CELERY=true, an otto-worker, and the worker's task-end line.
@Suite("Trace context into tasks from the real routes", .serialized)
struct TraceIntoTasksTests {
    @Test("a signed webhook and a reprocess request each end in a worker task line with the request's trace_id")
    func webhookAndReprocess() async throws {
        let port = FreePort.pick()
        let base = "http://127.0.0.1:\(port)"
        let token = "0123456789abcdef0123456789abcdef"
        let environment = [
            "APP_ENV": "test", "PORT": "\(port)", "HOST": "127.0.0.1", "DATABASE_URL": try TestServices.databaseURL(),
            "REDIS_URL": try TestServices.redisURL(), "ENABLE_CELERY": "true",
            "REDIS_KEY_PREFIX": TestServices.uniquePrefix("trace"), "TWILIO_AUTH_TOKEN": token,
            "PUBLIC_BASE_URL": base, "CLERK_JWT_KEY": TestTokens.publicKeyPEM, "LOG_FORMAT": "json",
        ]
        _ = try await ChildProcess.run("otto-api", ["migrate"], environment: environment)
        let org = "org_trace_\(UUID().uuidString.prefix(8))"
        let (created, createdOutput) = try await ChildProcess.run(
            "otto-api", ["tenants", "create", "--clerk-org", org, "--name", "Trace", "--json"], environment: environment
        )
        #expect(created == 0, "\(createdOutput)")
        let tenant = try #require(
            (try JSONSerialization.jsonObject(with: Data(createdOutput.utf8)) as? [String: Any])?["id"] as? String)

        let api = ChildProcess(binary: "otto-api", environment: environment)
        let worker = ChildProcess(binary: "otto-worker", environment: environment)
        try api.start()
        try worker.start()
        let up = await eventually(timeout: .seconds(30)) { await ProcessProbe.httpStatus("\(base)/health") == 200 }
        #expect(up, "\(api.output)")
        #expect(await worker.waitForOutput("otto-worker ready", timeout: .seconds(30)), "\(worker.output)")

        // A signed Twilio callback carrying a traceparent.
        let webhookTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
        let fields = [
            ("AccountSid", "AC00000000000000000000000000000000"),
            ("CallSid", "CA-trace-\(UUID().uuidString.prefix(8))"),
            ("CallStatus", "completed"), ("From", "+15551234567"), ("To", "+15557654321"),
        ]
        let url = "\(base)/webhooks/twilio/\(tenant)"
        let signature = TwilioSignature(authToken: token).compute(url: url, parameters: fields.map { ($0.0, $0.1) })
        let webhook = await CurlRequest.send(
            url,
            headers: [
                "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature,
                "traceparent": "00-\(webhookTrace)-00f067aa0ba902b7-01",
            ],
            body: fields.map { FormURLEncoded.encode($0.0) + "=" + FormURLEncoded.encode($0.1) }.joined(separator: "&"))
        #expect(webhook.status == 200, "\(webhook.body)")
        let webhookEnded = await eventually(timeout: .seconds(30)) {
            Self.taskEnds(worker.output).contains {
                $0["task_name"] as? String == ProcessWebhookEventTask.name && $0["trace_id"] as? String == webhookTrace
                    && $0["outcome"] as? String == "succeeded"
            }
        }
        #expect(webhookEnded, "\(worker.output)")

        // The tenant's user asks for the call to be processed again.
        let session = try await TestTokens.make(org: org)
        let calls = await CurlRequest.send(
            "\(base)/v1/calls", method: "GET", headers: ["Authorization": "Bearer \(session)"])
        #expect(calls.status == 200, "\(calls.body)")
        let listed = (try? JSONSerialization.jsonObject(with: Data(calls.body.utf8))) as? [String: Any]
        let callID = try #require((listed?["data"] as? [[String: Any]])?.first?["id"] as? String, "\(calls.body)")
        let reprocessTrace = "0af7651916cd43dd8448eb211c80319c"
        let reprocess = await CurlRequest.send(
            "\(base)/v1/calls/\(callID)/reprocess",
            headers: [
                "Authorization": "Bearer \(session)", "Content-Type": "application/json",
                "traceparent": "00-\(reprocessTrace)-b7ad6b7169203331-01",
            ],
            body: #"{"reason":"trace test"}"#)
        #expect(reprocess.status == 202, "\(reprocess.body)")
        let taskID =
            (try? JSONSerialization.jsonObject(with: Data(reprocess.body.utf8)) as? [String: Any])?["task_id"]
            as? String
        let reprocessEnded = await eventually(timeout: .seconds(30)) {
            Self.taskEnds(worker.output).contains {
                $0["task_id"] as? String == taskID && $0["trace_id"] as? String == reprocessTrace
                    && $0["outcome"] as? String == "succeeded"
            }
        }
        #expect(reprocessEnded, "\(worker.output)")

        api.signal(SIGTERM)
        worker.signal(SIGTERM)
        _ = await api.waitForExit(timeout: .seconds(15))
        _ = await worker.waitForExit(timeout: .seconds(30))
    }

    static func taskEnds(_ output: String) -> [[String: Any]] {
        LogLines.parse(output).filter { $0["message"] as? String == "task finished" }
    }
}
