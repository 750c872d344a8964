import Foundation
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

/// The backoff a real otto-worker applies between a failing task's attempts, read from its
/// task-end lines: the shape (doubling, within the jitter's window), not only a lower bound.
@Suite("Retry backoff in the worker")
struct RetryBackoffTests {
    /// One attempt as its task-end line tells it, in unix seconds.
    struct Attempt {
        var attempt: Int
        var outcome: String
        /// When the line was written (the log's millisecond timestamp).
        var end: Double
        /// When the attempt started: `end` less its `duration_ms`.
        var start: Double
        /// When it was due: `start` less its `wait_ms` (how long it waited after being due).
        var due: Double

        init?(_ line: [String: Any]) {
            guard let attempt = line["attempt"] as? Int, let outcome = line["outcome"] as? String,
                let stamp = line["timestamp"] as? String, let end = RetryBackoffTests.unixTime(stamp),
                let duration = (line["duration_ms"] as? NSNumber)?.doubleValue,
                let wait = (line["wait_ms"] as? NSNumber)?.doubleValue
            else { return nil }
            self.attempt = attempt
            self.outcome = outcome
            self.end = end
            self.start = end - duration / 1000
            self.due = start - wait / 1000
        }
    }

    /// The clocks behind these figures: the log's timestamp is cut to milliseconds, and the
    /// worker reads the time for `wait_ms` and for the line's timestamp a moment apart (usually
    /// microseconds; a thread descheduled between them on a loaded machine, longer), so each
    /// derived instant may be off by that. The slack is a fifth of the 100 ms that separate the
    /// narrowest windows checked here; it is no bound on how fast anything runs.
    static let clockSlack = 0.02

    @Test("a failing otto.ping waits base·2^(n-1), half to all of it, before attempt n+1: the delays double")
    func delaysDoubleWithinTheJitterWindow() async throws {
        let harness = try QueueHarness(name: "backoff")
        let worker = try await harness.startWorker(["LOG_FORMAT": "json"])
        let ids = try await harness.enqueue("otto.ping", args: #"{"fail": true}"#, extra: ["--max-attempts", "6"])
        let id = try #require(ids.first)
        // Measured: the five delays add up to about 5 s here; the deadline only fails a hung run.
        let ended = await eventually(timeout: .seconds(120)) { LogLines.taskEnds(worker.output, taskID: id).count == 6 }
        #expect(ended, "\(worker.output)")
        let attempts = LogLines.taskEnds(worker.output, taskID: id).compactMap(Attempt.init)
        #expect(attempts.map(\.attempt) == [1, 2, 3, 4, 5, 6])
        #expect(attempts.map(\.outcome) == ["retrying", "retrying", "retrying", "retrying", "retrying", "dead"])
        try #require(attempts.count == 6)

        // The worker fixes attempt n+1's due time while attempt n runs (between its start and its
        // line), so the delay it chose lies between due(n+1) − end(n) and due(n+1) − start(n).
        let base = PingTask.retryBaseDelay.inSeconds
        var chosen: [ClosedRange<Double>] = []
        for (failed, next) in zip(attempts, attempts.dropFirst()) {
            let nominal = base * Double(1 << (failed.attempt - 1))
            let shortest = next.due - failed.end
            let longest = next.due - failed.start
            chosen.append(shortest...longest)
            #expect(
                longest >= nominal / 2 - Self.clockSlack,
                "attempt \(failed.attempt): waited at most \(longest) s, less than half of \(nominal) s")
            #expect(
                shortest <= nominal + Self.clockSlack,
                "attempt \(failed.attempt): waited at least \(shortest) s, more than \(nominal) s")
        }
        print("otto.ping backoff, delays after attempts 1-5 (s): \(chosen.map { "\($0)" }.joined(separator: ", "))")

        // The dead letter keeps the last attempt's envelope, whose due time the worker wrote: the
        // one derived from the line must match it (the derivation above reads the real schedule).
        let (status, output) = try await ChildProcess.run(
            "otto-worker", ["dead", "list", "--json"], environment: harness.environment())
        #expect(status == 0, "\(output)")
        let dead = (try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])?["dead"]
        let envelope = (dead as? [[String: Any]])?.first?["envelope"] as? [String: Any]
        let recordedDue = try #require((envelope?["due_at"] as? NSNumber)?.doubleValue, "\(output)")
        #expect(abs(recordedDue - attempts[5].due) <= Self.clockSlack, "due \(recordedDue) vs \(attempts[5].due)")

        worker.signal(SIGTERM)
        #expect(await worker.waitForExit(timeout: .seconds(30)) == 0)
        await harness.cleanUp()
    }

    static func unixTime(_ text: String) -> Double? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)?.timeIntervalSince1970
    }
}
