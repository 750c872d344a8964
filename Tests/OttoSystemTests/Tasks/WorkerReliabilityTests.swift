import Foundation
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

@Suite("Worker reliability", .serialized)
struct WorkerReliabilityTests {
    /// What a succeeded task-end line contains (a cheap count for polling a long output).
    static let succeededLine = ["\"message\":\"task finished\"", "\"outcome\":\"succeeded\""]

    /// How many entries of the default queue are delivered and not acknowledged.
    static func pendingCount(_ harness: QueueHarness) async throws -> Int {
        let reply = try await harness.redis.send(
            ["XPENDING", harness.keys.stream("default"), RedisKeys.consumerGroup, "-", "+", "10000"])
        return (reply.array ?? []).count
    }

    @Test("kill -9 in the middle of 1,000 tasks: a second worker runs the rest, none lost, only in-flight ones twice")
    func killedWorkerLosesNothing() async throws {
        let harness = try QueueHarness(name: "kill")
        let settings = ["WORKER_CONCURRENCY": "4", "WORKER_VISIBILITY_TIMEOUT": "2"]
        // All enqueued first, so the worker runs at full concurrency when it is killed.
        let ids = try await harness.enqueue("otto.ping", args: #"{"delay_ms": 20, "tally": "tally"}"#, count: 1000)
        #expect(ids.count == 1000)
        let first = try await harness.startWorker(settings)
        let midway = await eventually(timeout: .seconds(120), every: .milliseconds(20)) {
            LogLines.count(first.output, containing: Self.succeededLine) >= 200
        }
        #expect(midway, "\(first.output.suffix(1500))")
        first.signal(SIGKILL)
        _ = await first.waitForExit(timeout: .seconds(30))
        // What the dead worker held: delivered and not acknowledged (running, prefetched, or
        // succeeded with the acknowledgement still buffered).
        let pendingAtKill = try await Self.pendingCount(harness)
        // What it was running: started (otto.ping's tally counts a run as it starts) and never ended.
        let interrupted = Set(try await harness.tally("tally").keys).subtracting(TaskEnds.ended(first.output))
        #expect((1...4).contains(interrupted.count), "tasks running at the kill: \(interrupted.count) (concurrency 4)")

        let second = try await harness.startWorker(settings)
        let allSucceeded = await eventually(timeout: .seconds(120), every: .milliseconds(250)) {
            Set(TaskEnds.succeeded(first.output).keys).union(TaskEnds.succeeded(second.output).keys).count == 1000
        }
        let byFirst = TaskEnds.succeeded(first.output)
        let bySecond = TaskEnds.succeeded(second.output)
        let succeeded = Set(byFirst.keys).union(bySecond.keys)
        #expect(allSucceeded, "succeeded \(succeeded.count) of 1000")
        #expect(succeeded == Set(ids))
        #expect(interrupted.isSubset(of: bySecond.keys), "the interrupted tasks ran to success on the second worker")
        // Succeeded twice: only those whose acknowledgement the kill lost, so pending at the kill.
        let twice = Set(byFirst.keys).intersection(bySecond.keys)
        #expect(twice.count <= pendingAtKill, "succeeded twice \(twice.count) > pending at the kill \(pendingAtKill)")
        #expect((byFirst.values.max() ?? 1) == 1 && (bySecond.values.max() ?? 1) == 1)
        let tally = try await harness.tally("tally")
        let duplicates = tally.values.reduce(0, +) - tally.count
        #expect(duplicates <= pendingAtKill, "started twice \(duplicates) > pending at the kill \(pendingAtKill)")
        second.signal(SIGTERM)
        #expect(await second.waitForExit(timeout: .seconds(30)) == 0)
        await harness.cleanUp()
    }

    @Test("a task three times longer than the visibility timeout runs once, with another worker watching")
    func longTaskRunsOnce() async throws {
        let harness = try QueueHarness(name: "long")
        let settings = ["WORKER_CONCURRENCY": "2", "WORKER_VISIBILITY_TIMEOUT": "2"]
        let first = try await harness.startWorker(settings)
        let second = try await harness.startWorker(settings)
        let ids = try await harness.enqueue("otto.ping", args: #"{"delay_ms": 6000, "tally": "tally"}"#)
        let id = try #require(ids.first)
        let finished = await eventually(timeout: .seconds(30)) {
            LogLines.taskEnds(first.output + second.output, taskID: id).contains {
                $0["outcome"] as? String == "succeeded"
            }
        }
        #expect(finished)
        // Once the entry is acknowledged and deleted nothing can claim it; a claim made earlier,
        // while it ran, is logged by the claiming worker and would run it again.
        let acknowledged = await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
            (try? await Self.pendingCount(harness)) == 0
        }
        #expect(acknowledged)
        first.signal(SIGTERM)
        second.signal(SIGTERM)
        #expect(await first.waitForExit(timeout: .seconds(30)) == 0)
        #expect(await second.waitForExit(timeout: .seconds(30)) == 0)
        let output = first.output + second.output
        #expect(!output.contains("claimed tasks of a worker that stopped answering"), "\(output.suffix(2000))")
        #expect(try await harness.tally("tally")[id] == 1)
        #expect(LogLines.taskEnds(output, taskID: id).count == 1)
        await harness.cleanUp()
    }

    @Test("failures retry with exponential backoff, end in the dead-letter stream, and replay brings them back")
    func retriesDeadLettersAndReplay() async throws {
        let harness = try QueueHarness(name: "retry")
        let worker = try await harness.startWorker()
        let ids = try await harness.enqueue("otto.ping", args: #"{"fail": true}"#, extra: ["--max-attempts", "3"])
        let id = try #require(ids.first)
        #expect(await eventually(timeout: .seconds(20)) { LogLines.taskEnds(worker.output, taskID: id).count == 3 })
        let ends = LogLines.taskEnds(worker.output, taskID: id)
        #expect(ends.map { $0["outcome"] as? String } == ["retrying", "retrying", "dead"])
        #expect(ends.map { $0["attempt"] as? Int } == [1, 2, 3])
        #expect(ends.allSatisfy { ($0["error"] as? String)?.contains("requested failure") == true })
        // Backoff: base 200 ms doubling, with jitter between half and all of it.
        let times = ends.compactMap { ($0["timestamp"] as? String).flatMap(Self.parseTimestamp) }
        #expect(times.count == 3)
        if times.count == 3 {
            #expect(times[1] - times[0] >= 0.09)
            #expect(times[2] - times[1] >= 0.19)
        }

        let (listStatus, listOutput) = try await ChildProcess.run(
            "otto-worker", ["dead", "list", "--json"], environment: harness.environment())
        #expect(listStatus == 0)
        let listed = try JSONSerialization.jsonObject(with: Data(listOutput.utf8)) as? [String: Any]
        let dead = listed?["dead"] as? [[String: Any]] ?? []
        #expect(dead.count == 1)
        let envelope = dead.first?["envelope"] as? [String: Any]
        #expect(envelope?["id"] as? String == id)
        #expect((envelope?["last_error"] as? String)?.contains("requested failure") == true)

        let (inspectStatus, inspectOutput) = try await ChildProcess.run(
            "otto-worker", ["inspect", "--json"], environment: harness.environment())
        #expect(inspectStatus == 0)
        let inspected = try JSONSerialization.jsonObject(with: Data(inspectOutput.utf8)) as? [String: Any]
        let queues = inspected?["queues"] as? [String: [String: Int]]
        #expect(queues?["default"]?["dead"] == 1)
        #expect((inspected?["workers"] as? [[String: Any]])?.count == 1)
        #expect((inspected?["canary"] as? [String: Any])?.keys.contains("last_completed_age_s") == true)

        let (replayStatus, replayOutput) = try await ChildProcess.run(
            "otto-worker", ["dead", "replay", "--json"], environment: harness.environment())
        #expect(replayStatus == 0)
        #expect(replayOutput.contains(id))
        #expect(await eventually(timeout: .seconds(20)) { LogLines.taskEnds(worker.output, taskID: id).count == 6 })
        #expect(LogLines.taskEnds(worker.output, taskID: id)[3]["attempt"] as? Int == 1)
        worker.signal(SIGTERM)
        #expect(await worker.waitForExit(timeout: .seconds(30)) == 0)
        await harness.cleanUp()
    }

    @Test("an unknown task name is dead-lettered with a reason and the worker carries on")
    func unknownTask() async throws {
        let harness = try QueueHarness(name: "unknown")
        let worker = try await harness.startWorker()
        let ids = try await harness.enqueue("no.such.task")
        let id = try #require(ids.first)
        #expect(
            await eventually(timeout: .seconds(30)) {
                LogLines.taskEnds(worker.output, taskID: id).first?["outcome"] as? String == "dead"
            })
        let letters = try await RedisTaskQueue(redis: harness.redis, keys: harness.keys).deadLetters(queue: "default")
        #expect(letters.first?.reason.contains("unknown task") == true)
        let ping = try await harness.enqueue("otto.ping")
        #expect(
            await eventually(timeout: .seconds(30)) {
                LogLines.taskEnds(worker.output, taskID: ping[0]).first?["outcome"] as? String == "succeeded"
            })
        worker.signal(SIGTERM)
        #expect(await worker.waitForExit(timeout: .seconds(30)) == 0)
        await harness.cleanUp()
    }

    @Test("SIGTERM during work: in-flight tasks finish, the rest stay queued, exit 0 within the grace period")
    func gracefulShutdown() async throws {
        let harness = try QueueHarness(name: "sigterm")
        let settings = ["WORKER_CONCURRENCY": "4", "WORKER_SHUTDOWN_GRACE": "8", "WORKER_VISIBILITY_TIMEOUT": "2"]
        let ids = try await harness.enqueue("otto.ping", args: #"{"delay_ms": 1500, "tally": "tally"}"#, count: 12)
        #expect(ids.count == 12)
        let worker = try await harness.startWorker(settings)
        #expect(await eventually(timeout: .seconds(30)) { ((try? await harness.tally("tally"))?.count ?? 0) >= 4 })
        let inFlight = Set(try await harness.tally("tally").keys)
        let signalled = ContinuousClock.now
        worker.signal(SIGTERM)
        let status = await worker.waitForExit(timeout: .seconds(60))
        let took = ContinuousClock.now - signalled
        #expect(status == 0)
        // The bound is the contract: WORKER_SHUTDOWN_GRACE (8 s) and a second to exit, over five
        // times what it measures here (1.7 s: the in-flight tasks' 1.5 s and the exit).
        #expect(took < .seconds(9), "exited \(took) after SIGTERM")

        // The tasks running at the signal finished; nothing else started; the rest is left.
        let finished = Set(TaskEnds.succeeded(worker.output).keys)
        #expect(inFlight.isSubset(of: finished), "in flight \(inFlight.count), finished \(finished.count)")
        #expect(finished == Set(try await harness.tally("tally").keys), "every run the worker started finished")
        let left = Set(ids).subtracting(finished)
        #expect(!left.isEmpty, "the worker ran all 12 after SIGTERM")
        // What did not run is still in Redis (pending: prefetched by the stopped worker; or waiting).
        let depth = try await WorkerFleet(redis: harness.redis, keys: harness.keys).queueDepths(["default"])["default"]
        #expect((depth?.waiting ?? 0) + (depth?.pending ?? 0) == left.count)

        // Another worker runs exactly those, once each.
        let next = try await harness.startWorker(settings)
        let ranLeft = await eventually(timeout: .seconds(60), every: .milliseconds(250)) {
            Set(TaskEnds.succeeded(next.output).keys).isSuperset(of: left)
        }
        #expect(ranLeft, "\(next.output.suffix(2000))")
        next.signal(SIGTERM)
        #expect(await next.waitForExit(timeout: .seconds(30)) == 0)
        #expect(Set(TaskEnds.succeeded(next.output).keys) == left)
        let tally = try await harness.tally("tally")
        #expect(Set(tally.keys) == Set(ids) && tally.values.allSatisfy { $0 == 1 }, "\(tally)")
        await harness.cleanUp()
    }

    @Test("Redis restarting during a run loses nothing and the worker carries on")
    func redisRestart() async throws {
        let server = try OwnRedisServer()
        try await server.start()
        let harness = try QueueHarness(redisURL: server.url, name: "restart")
        let ids = try await harness.enqueue("otto.ping", args: #"{"delay_ms": 20, "tally": "tally"}"#, count: 500)
        #expect(ids.count == 500)
        let worker = try await harness.startWorker(["WORKER_CONCURRENCY": "4", "WORKER_VISIBILITY_TIMEOUT": "3"])
        let midway = await eventually(timeout: .seconds(60), every: .milliseconds(20)) {
            LogLines.count(worker.output, containing: Self.succeededLine) >= 50
        }
        #expect(midway)
        let stopped = Date().timeIntervalSince1970
        server.stop()
        try await Task.sleep(for: .seconds(1))  // the outage itself: Redis stays away a second
        try await server.start()
        let allSucceeded = await eventually(timeout: .seconds(120), every: .milliseconds(250)) {
            Set(TaskEnds.succeeded(worker.output).keys).count == 500
        }
        worker.signal(SIGTERM)
        #expect(await worker.waitForExit(timeout: .seconds(30)) == 0)
        let succeeded = Set(TaskEnds.succeeded(worker.output).keys)
        #expect(allSucceeded, "succeeded \(succeeded.count) of 500")
        #expect(succeeded == Set(ids))
        // Tasks were running when Redis went away, and the worker saw it go.
        let running = TaskEnds.runs(worker.output, spanning: stopped)
        #expect(!running.isEmpty, "no task was running when Redis stopped")
        #expect(worker.output.contains("fetch failed; reconnecting with backoff"), "\(worker.output.suffix(2000))")
        await harness.redis.close()
        server.remove()
    }

    static func parseTimestamp(_ text: String) -> Double? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)?.timeIntervalSince1970
    }
}
