import Foundation
import OttoCore
import OttoProcessKit
import OttoRedis
import OttoTasks
import OttoTestSupport
import Testing

@Suite("Beat", .serialized)
struct BeatTests {
    @Test("two beats with a one-second canary, leader killed midway: every tick enqueued exactly once, by one beat")
    func twoBeatsNeverDoubleOrMiss() async throws {
        let harness = try QueueHarness(name: "beat")
        let settings = ["BEAT_CANARY_INTERVAL": "1", "BEAT_LEASE_TTL": "3"]
        var beats = [
            ChildProcess(binary: "otto-beat", environment: harness.environment(settings)),
            ChildProcess(binary: "otto-beat", environment: harness.environment(settings)),
        ]
        for beat in beats { try beat.start() }
        let ticks = { (try? await NoLossSystemTests.QueueRaceTests.canaryTicks(harness)) ?? [] }
        // The first leader schedules ten ticks.
        #expect(await eventually(timeout: .seconds(60), every: .milliseconds(250)) { await ticks().count >= 10 })

        // Kill the leader (its pid is part of the lease holder's id).
        let holder = try await harness.redis.send(["GET", harness.keys.beatLeader]).string ?? ""
        let leader = try #require(beats.first { holder.contains("-\($0.process.processIdentifier)-") })
        leader.signal(SIGKILL)
        _ = await leader.waitForExit(timeout: .seconds(10))
        let killedAt = Int(Date().timeIntervalSince1970)
        beats.removeAll { $0 === leader }
        // A replacement joins, as Fly would restart the machine.
        let replacement = ChildProcess(binary: "otto-beat", environment: harness.environment(settings))
        try replacement.start()
        beats.append(replacement)
        // The new leader takes over (after the lease's 3 s) and schedules fifteen seconds past the kill.
        let tookOver = await eventually(timeout: .seconds(90), every: .milliseconds(250)) {
            (await ticks().max() ?? 0) >= killedAt + 15
        }
        let lastTick = await ticks().max() ?? 0
        #expect(tookOver, "last tick \(lastTick), killed at \(killedAt)")
        for beat in beats { beat.signal(SIGTERM) }
        for beat in beats { #expect(await beat.waitForExit(timeout: .seconds(30)) == 0) }
        // The leader released its lease on the way out.
        #expect(try await harness.redis.send(["GET", harness.keys.beatLeader]).isNull)

        // In the stream: every tick from the first to the last once, across the hand-over.
        let enqueued = await ticks()
        let counted = Dictionary(enqueued.map { ($0, 1) }, uniquingKeysWith: +)
        let doubled = counted.filter { $0.value > 1 }
        #expect(doubled.isEmpty, "doubled ticks: \(doubled.keys.sorted())")
        let first = try #require(enqueued.min())
        let last = try #require(enqueued.max())
        #expect(first < killedAt && last >= killedAt + 15)
        let missing = (first...last).filter { counted[$0] == nil }
        #expect(missing.isEmpty, "missing ticks: \(missing)")

        // In the beats' logs: one beat enqueued each tick. The stream alone cannot show it (the
        // de-duplication key keeps a second leader's enqueue out); a second leader's attempt
        // is logged with created=false.
        let attempts = Self.tickAttempts([leader] + beats)
        // The hand-over is the one place where a tick may be attempted twice: the killed leader
        // died between enqueueing its last tick and recording it, so its successor enqueues it
        // again and the key holds (or it died before logging the enqueue of the next one).
        let killedLast = attempts.filter { $0.value.contains { $0.beat == leader.process.processIdentifier } }.keys
            .max()
        let handOver: Set<Int> = killedLast.map { [$0, $0 + 1] } ?? []
        for tick in counted.keys.sorted() {
            let made = attempts[tick] ?? []
            if handOver.contains(tick) {
                #expect(made.filter { $0.created }.count <= 1 && made.count <= 2, "tick \(tick): \(made)")
            } else {
                #expect(made.count == 1 && made.first?.created == true, "tick \(tick) enqueued by: \(made)")
            }
        }
        await harness.cleanUp()
    }

    /// The canary's "tick enqueued" lines of `beats`, by tick: which beat (pid) and whether it
    /// created the entry.
    static func tickAttempts(_ beats: [ChildProcess]) -> [Int: [(beat: Int32, created: Bool)]] {
        var attempts: [Int: [(beat: Int32, created: Bool)]] = [:]
        for beat in beats {
            for line in LogLines.parse(beat.output)
            where line["message"] as? String == "tick enqueued" && line["schedule"] as? String == "canary" {
                guard let tick = (line["tick"] as? NSNumber)?.intValue, let created = line["created"] as? Bool
                else { continue }
                attempts[tick, default: []].append((beat.process.processIdentifier, created))
            }
        }
        return attempts
    }
}

/// Reads one field of a flat RESP field/value array.
enum QueueDepthFields {
    static func value(_ fields: RedisValue, _ name: String) -> String? {
        let items = fields.array ?? []
        var index = 0
        while index + 1 < items.count {
            if items[index].string == name { return items[index + 1].string }
            index += 2
        }
        return nil
    }
}
