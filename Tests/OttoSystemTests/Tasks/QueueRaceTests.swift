import Foundation
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

extension NoLossSystemTests {
    /// The queue's promises under races, with real worker and beat processes and a real Redis.
    @Suite("Queue races", .serialized)
    struct QueueRaceTests {
        /// The `worker_id` a worker logged when it became ready.
        static func workerID(_ worker: ChildProcess) -> String? {
            LogLines.parse(worker.output).first { $0["message"] as? String == "otto-worker ready" }?["worker_id"]
                as? String
        }

        /// Pending entries of the default queue: (entry id, owner).
        static func pending(_ harness: QueueHarness) async throws -> [(id: String, owner: String)] {
            let reply = try await harness.redis.send(
                ["XPENDING", harness.keys.stream("default"), RedisKeys.consumerGroup, "-", "+", "1000"])
            return (reply.array ?? []).compactMap { item in
                guard let parts = item.array, parts.count >= 2, let id = parts[0].string, let owner = parts[1].string
                else { return nil }
                return (id, owner)
            }
        }

        @Test("a worker that stalled past the visibility timeout never takes back the entry another worker claimed")
        func stalledWorkerDoesNotRenewWhatItLost() async throws {
            let harness = try QueueHarness(name: "renew")
            let settings = ["WORKER_CONCURRENCY": "1", "WORKER_VISIBILITY_TIMEOUT": "10", "LOG_FORMAT": "json"]
            let stalled = try await harness.startWorker(settings)
            let ids = try await harness.enqueue("otto.ping", args: #"{"delay_ms": 60000, "tally": "tally"}"#)
            let id = try #require(ids.first)
            #expect(await eventually(timeout: .seconds(30)) { (try? await harness.tally("tally"))?[id] == 1 })
            let stalledID = try #require(Self.workerID(stalled))

            stalled.signal(SIGSTOP)
            let other = try await harness.startWorker(settings)
            let otherID = try #require(Self.workerID(other))
            let claimed = await eventually(timeout: .seconds(60), every: .milliseconds(250)) {
                (try? await Self.pending(harness))?.first?.owner == otherID
            }
            #expect(claimed, "the running worker did not claim the stalled one's entry")

            // Now the stalled worker wakes while the other is paused: its renewal must see that it
            // lost the entry and leave it to the other worker.
            other.signal(SIGSTOP)
            stalled.signal(SIGCONT)
            let declined = await stalled.waitForOutput(
                "tasks another worker took over are no longer renewed here", timeout: .seconds(20))
            let owner = try await Self.pending(harness).first?.owner
            #expect(declined, "\(stalled.output.suffix(1500))")
            #expect(owner == otherID, "owner \(owner ?? "none"), stalled \(stalledID), other \(otherID)")

            other.signal(SIGCONT)
            for worker in [stalled, other] { worker.signal(SIGKILL) }
            for worker in [stalled, other] { _ = await worker.waitForExit(timeout: .seconds(10)) }
            await harness.cleanUp()
        }

        @Test("entries deleted while pending leave a dead letter each, and the reclaim still runs the others")
        func reclaimSurvivesDeletedEntries() async throws {
            let harness = try QueueHarness(name: "deleted")
            let settings = ["WORKER_CONCURRENCY": "4", "WORKER_VISIBILITY_TIMEOUT": "2", "LOG_FORMAT": "json"]
            let first = try await harness.startWorker(settings)
            let ids = try await harness.enqueue("otto.ping", args: #"{"delay_ms": 5000, "tally": "tally"}"#, count: 8)
            #expect(ids.count == 8)
            #expect(await eventually(timeout: .seconds(30)) { ((try? await harness.tally("tally"))?.count ?? 0) >= 4 })
            first.signal(SIGKILL)
            _ = await first.waitForExit(timeout: .seconds(10))
            let held = try await Self.pending(harness)
            #expect(held.count == 8, "pending at the kill: \(held.count)")
            // Two entries vanish from the stream while pending (a trim, an operator's XDEL).
            let deleted = held.prefix(2).map(\.id)
            #expect(try await harness.redis.send(["XDEL", harness.keys.stream("default")] + deleted).int == 2)

            let second = try await harness.startWorker(settings)
            let traced = await eventually(timeout: .seconds(60), every: .milliseconds(250)) {
                let letters =
                    (try? await RedisTaskQueue(redis: harness.redis, keys: harness.keys).deadLetters(queue: "default"))
                    ?? []
                return letters.count == 2
            }
            let letters = try await RedisTaskQueue(redis: harness.redis, keys: harness.keys).deadLetters(
                queue: "default")
            #expect(traced, "dead letters: \(letters.map(\.reason))")
            for id in deleted {
                #expect(
                    letters.contains {
                        $0.reason.contains(id) && $0.reason.contains("deleted from the stream while pending")
                    })
            }
            let survivors = await eventually(timeout: .seconds(90), every: .milliseconds(500)) {
                LogLines.count(
                    second.output, containing: ["\"message\":\"task finished\"", "\"outcome\":\"succeeded\""]) == 6
            }
            #expect(survivors, "\(second.output.suffix(2000))")
            #expect(try await Self.pending(harness).isEmpty)
            second.signal(SIGTERM)
            #expect(await second.waitForExit(timeout: .seconds(30)) == 0)
            await harness.cleanUp()
        }

        @Test("the reclaim reaches idle entries behind more than a thousand busy ones (its cursor carries over)")
        func reclaimReachesIdleEntriesBehindBusyOnes() async throws {
            let harness = try QueueHarness(name: "cursor")
            let stream = harness.keys.stream("default")
            let group = RedisKeys.consumerGroup
            _ = try await RedisTaskQueue(redis: harness.redis, keys: harness.keys).ensureGroup("default")
            let ids = try await harness.enqueue("otto.ping", args: #"{"tally": "tally"}"#, count: 1105)
            #expect(ids.count == 1105)
            // A live worker holds the first 1100 (and keeps renewing them); a dead one the last 5.
            let busy = try await harness.redis.send(
                ["XREADGROUP", "GROUP", group, "live-worker", "COUNT", "1100", "STREAMS", stream, ">"])
            let busyIDs = (busy.array?.first?.array?.last?.array ?? []).compactMap { $0.array?.first?.string }
            #expect(busyIDs.count == 1100)
            _ = try await harness.redis.send([
                "XREADGROUP", "GROUP", group, "dead-worker", "COUNT", "5", "STREAMS", stream, ">",
            ])
            let renewing = Task {
                while !Task.isCancelled {
                    _ = try? await harness.redis.send(
                        ["XCLAIM", stream, group, "live-worker", "0"] + busyIDs + ["JUSTID"])
                    try? await Task.sleep(for: .milliseconds(500))
                }
            }
            defer { renewing.cancel() }

            let worker = try await harness.startWorker(["WORKER_VISIBILITY_TIMEOUT": "2", "LOG_FORMAT": "json"])
            let reached = await eventually(timeout: .seconds(60), every: .milliseconds(250)) {
                ((try? await harness.tally("tally"))?.count ?? 0) == 5
            }
            let ran = try await harness.tally("tally")
            #expect(reached, "ran \(ran.count) of the dead worker's 5")
            #expect(Set(ran.keys) == Set(ids.suffix(5)))
            renewing.cancel()
            worker.signal(SIGTERM)
            #expect(await worker.waitForExit(timeout: .seconds(30)) == 0)
            await harness.cleanUp()
        }

        @Test("a beat that cannot read the last runs at hand-over waits for them, so no tick is skipped")
        func failedReadAtHandOverSkipsNoTick() async throws {
            let harness = try QueueHarness(name: "handover")
            let settings = ["BEAT_CANARY_INTERVAL": "1", "BEAT_LEASE_TTL": "3", "LOG_FORMAT": "json"]
            let first = ChildProcess(binary: "otto-beat", environment: harness.environment(settings))
            try first.start()
            #expect(
                await eventually(timeout: .seconds(30)) { ((try? await Self.canaryTicks(harness)) ?? []).count >= 3 })
            first.signal(SIGTERM)
            #expect(await first.waitForExit(timeout: .seconds(15)) == 0)

            // The history becomes unreadable (WRONGTYPE) while nobody leads, and ticks go by.
            let saved =
                try await harness.redis.send(["HGETALL", harness.keys.beatLastRun]).array?.compactMap(\.string) ?? []
            #expect(saved.count >= 2)
            _ = try await harness.redis.send(["SET", harness.keys.beatLastRun, "unreadable"])
            try await Task.sleep(for: .seconds(3))  // the scenario: three ticks go by with no leader

            let second = ChildProcess(binary: "otto-beat", environment: harness.environment(settings))
            try second.start()
            let holds = await eventually(timeout: .seconds(30), every: .milliseconds(250)) {
                let holder = (try? await harness.redis.send(["GET", harness.keys.beatLeader]).string) ?? ""
                return holder.contains("-\(second.process.processIdentifier)-")
            }
            #expect(holds)
            #expect(await second.waitForOutput("\"level\":\"warning\"", timeout: .seconds(15)), "\(second.output)")
            // The history is readable again.
            _ = try await harness.redis.send(["DEL", harness.keys.beatLastRun])
            _ = try await harness.redis.send(["HSET", harness.keys.beatLastRun] + saved)
            let restored = Int(Date().timeIntervalSince1970)
            #expect(await second.waitForOutput("leader lease acquired; scheduling", timeout: .seconds(30)))
            // It catches up, then schedules on: ticks three past the moment the history came back.
            let caughtUp = await eventually(timeout: .seconds(60), every: .milliseconds(250)) {
                ((try? await Self.canaryTicks(harness))?.max() ?? 0) >= restored + 3
            }
            #expect(caughtUp)
            second.signal(SIGTERM)
            #expect(await second.waitForExit(timeout: .seconds(30)) == 0)

            let ticks = try await Self.canaryTicks(harness)
            let counted = Dictionary(ticks.map { ($0, 1) }, uniquingKeysWith: +)
            let firstTick = try #require(ticks.min())
            let end = try #require(ticks.max())
            let missing = (firstTick...end).filter { counted[$0] == nil }
            #expect(missing.isEmpty, "missing ticks: \(missing)")
            #expect(counted.values.allSatisfy { $0 == 1 }, "doubled: \(counted.filter { $0.value > 1 }.keys.sorted())")
            await harness.cleanUp()
        }

        /// The canary ticks in the default stream, from their de-duplication keys.
        static func canaryTicks(_ harness: QueueHarness) async throws -> [Int] {
            let entries = try await harness.redis.send(["XRANGE", harness.keys.stream("default"), "-", "+"])
            return (entries.array ?? []).compactMap { entry in
                guard let fields = entry.array?[1], let text = QueueDepthFields.value(fields, "t"),
                    let envelope = try? TaskEnvelope.decode(text), let key = envelope.dedupKey,
                    key.hasPrefix("beat:canary:")
                else { return nil }
                return Int(key.dropFirst("beat:canary:".count))
            }
        }
    }
}
