import Foundation
import OttoCore
import OttoTestSupport
import Testing

@Suite("Worker reliability", .serialized)
struct WorkerReliabilityTests {
    @Test("kill -9 in the middle of 1,000 tasks: a second worker runs the rest, none lost, only in-flight ones twice")
    func killedWorkerLosesNothing() async throws {
        let harness = try QueueHarness(name: "kill")
        let settings = ["WORKER_CONCURRENCY": "4", "WORKER_VISIBILITY_TIMEOUT": "2"]
        let first = try await harness.startWorker(settings)
        let ids = try await harness.enqueue("otto.ping", args: #"{"delay_ms": 3, "tally": "tally"}"#, count: 1000)
        #expect(ids.count == 1000)
        #expect(await eventually(timeout: .seconds(60)) { ((try? await harness.tally("tally"))?.count ?? 0) >= 200 })
        first.signal(SIGKILL)
        _ = await first.waitForExit(timeout: .seconds(5))
        // What the dead worker held: delivered and not acknowledged.
        let pendingReply = try await harness.redis.send(
            ["XPENDING", harness.keys.stream("default"), RedisKeys.consumerGroup, "-", "+", "10000"])
        let inFlightAtKill = (pendingReply.array ?? []).count

        let second = try await harness.startWorker(settings)
        let allRan = await eventually(timeout: .seconds(90)) { ((try? await harness.tally("tally"))?.count == 1000) }
        let tally = try await harness.tally("tally")
        #expect(allRan, "ran \(tally.count) of 1000")
        #expect(Set(tally.keys) == Set(ids))
        let duplicates = tally.values.reduce(0, +) - tally.count
        #expect(duplicates <= inFlightAtKill, "duplicates \(duplicates) > in flight at kill \(inFlightAtKill)")
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
        try await Task.sleep(for: .seconds(3))  // a wrongful claim would start a second run now
        #expect(try await harness.tally("tally")[id] == 1)
        #expect(LogLines.taskEnds(first.output + second.output, taskID: id).count == 1)
        first.signal(SIGTERM)
        second.signal(SIGTERM)
        _ = await first.waitForExit(timeout: .seconds(30))
        _ = await second.waitForExit(timeout: .seconds(30))
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
            await eventually(timeout: .seconds(10)) {
                LogLines.taskEnds(worker.output, taskID: id).first?["outcome"] as? String == "dead"
            })
        let letters = try await RedisTaskQueue(redis: harness.redis, keys: harness.keys).deadLetters(queue: "default")
        #expect(letters.first?.reason.contains("unknown task") == true)
        let ping = try await harness.enqueue("otto.ping")
        #expect(
            await eventually(timeout: .seconds(10)) {
                LogLines.taskEnds(worker.output, taskID: ping[0]).first?["outcome"] as? String == "succeeded"
            })
        worker.signal(SIGTERM)
        #expect(await worker.waitForExit(timeout: .seconds(30)) == 0)
        await harness.cleanUp()
    }

    @Test("SIGTERM during work: in-flight tasks finish, the rest stay queued, exit 0 within the grace period")
    func gracefulShutdown() async throws {
        let harness = try QueueHarness(name: "sigterm")
        let worker = try await harness.startWorker(["WORKER_CONCURRENCY": "4", "WORKER_SHUTDOWN_GRACE": "8"])
        let ids = try await harness.enqueue("otto.ping", args: #"{"delay_ms": 1500, "tally": "tally"}"#, count: 12)
        #expect(ids.count == 12)
        #expect(await eventually(timeout: .seconds(10)) { ((try? await harness.tally("tally"))?.count ?? 0) >= 4 })
        let started = try await harness.tally("tally").keys
        let signalled = ContinuousClock.now
        worker.signal(SIGTERM)
        let status = await worker.waitForExit(timeout: .seconds(15))
        #expect(status == 0)
        #expect(ContinuousClock.now - signalled < .seconds(9))
        for id in started {
            #expect(LogLines.taskEnds(worker.output, taskID: id).first?["outcome"] as? String == "succeeded")
        }
        let finishedCount = ids.filter { id in
            LogLines.taskEnds(worker.output, taskID: id).contains { $0["outcome"] as? String == "succeeded" }
        }.count
        // What did not finish is still in Redis for the next worker (waiting or pending).
        let depth = try await WorkerFleet(redis: harness.redis, keys: harness.keys).queueDepths(["default"])["default"]
        #expect((depth?.waiting ?? 0) + (depth?.pending ?? 0) == 12 - finishedCount)
        await harness.cleanUp()
    }

    @Test("Redis restarting during a run loses nothing and the worker carries on")
    func redisRestart() async throws {
        let server = try OwnRedisServer()
        try await server.start()
        let harness = try QueueHarness(redisURL: server.url, name: "restart")
        let worker = try await harness.startWorker(["WORKER_CONCURRENCY": "4", "WORKER_VISIBILITY_TIMEOUT": "3"])
        let ids = try await harness.enqueue("otto.ping", args: #"{"delay_ms": 5, "tally": "tally"}"#, count: 500)
        #expect(await eventually(timeout: .seconds(30)) { ((try? await harness.tally("tally"))?.count ?? 0) >= 50 })
        server.stop()
        try await Task.sleep(for: .seconds(1))
        try await server.start()
        let allRan = await eventually(timeout: .seconds(90)) { ((try? await harness.tally("tally"))?.count == 500) }
        let ranCount = (try? await harness.tally("tally"))?.count ?? -1
        #expect(allRan, "ran \(ranCount) of 500")
        #expect(Set(try await harness.tally("tally").keys) == Set(ids))
        worker.signal(SIGTERM)
        #expect(await worker.waitForExit(timeout: .seconds(30)) == 0)
        await harness.redis.close()
        server.remove()
    }

    static func parseTimestamp(_ text: String) -> Double? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)?.timeIntervalSince1970
    }
}
