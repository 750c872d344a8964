import Foundation
import OttoCore
import OttoRedis
import OttoTestSupport
import Testing

@Suite("Beat", .serialized)
struct BeatTests {
    @Test("two beats with a one-second canary for 30 s, leader killed midway: every tick enqueued exactly once")
    func twoBeatsNeverDoubleOrMiss() async throws {
        let harness = try QueueHarness(name: "beat")
        let settings = ["BEAT_CANARY_INTERVAL": "1", "BEAT_LEASE_TTL": "3"]
        var beats = [
            ChildProcess(binary: "otto-beat", environment: harness.environment(settings)),
            ChildProcess(binary: "otto-beat", environment: harness.environment(settings)),
        ]
        for beat in beats { try beat.start() }
        let start = Int(Date().timeIntervalSince1970)
        try await Task.sleep(for: .seconds(12))

        // Kill the leader (its pid is part of the lease holder's id).
        let holder = try await harness.redis.send(["GET", harness.keys.beatLeader]).string ?? ""
        let leader = try #require(beats.first { holder.contains("-\($0.process.processIdentifier)-") })
        leader.signal(SIGKILL)
        _ = await leader.waitForExit(timeout: .seconds(5))
        beats.removeAll { $0 === leader }
        // A replacement joins, as Fly would restart the machine.
        let replacement = ChildProcess(binary: "otto-beat", environment: harness.environment(settings))
        try replacement.start()
        beats.append(replacement)
        try await Task.sleep(for: .seconds(20))
        let end = Int(Date().timeIntervalSince1970) - 5  // ticks before this must all be there

        let entries = try await harness.redis.send(["XRANGE", harness.keys.stream("default"), "-", "+"])
        var ticks: [Int] = []
        for entry in entries.array ?? [] {
            guard let fields = entry.array?[1], let text = QueueDepthFields.value(fields, "t"),
                let envelope = try? TaskEnvelope.decode(text), let key = envelope.dedupKey,
                key.hasPrefix("beat:canary:"),
                let tick = Int(key.dropFirst("beat:canary:".count))
            else { continue }
            ticks.append(tick)
        }
        let counted = Dictionary(ticks.map { ($0, 1) }, uniquingKeysWith: +)
        let doubled = counted.filter { $0.value > 1 }
        #expect(doubled.isEmpty, "doubled ticks: \(doubled.keys.sorted())")
        let first = try #require(ticks.min())
        #expect(first <= start + 3)
        let missing = (first...end).filter { counted[$0] == nil }
        #expect(missing.isEmpty, "missing ticks: \(missing)")

        for beat in beats { beat.signal(SIGTERM) }
        for beat in beats { #expect(await beat.waitForExit(timeout: .seconds(10)) == 0) }
        // The leader released its lease on the way out.
        #expect(try await harness.redis.send(["GET", harness.keys.beatLeader]).isNull)
        await harness.cleanUp()
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
