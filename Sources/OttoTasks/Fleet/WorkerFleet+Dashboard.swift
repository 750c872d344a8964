import OttoRedis
import OttoSupport

/// What the operator's dashboard reads besides ``FleetSnapshot``: how long the head of each
/// queue has waited, the beat's leader and last runs, and the newest dead letters. Each is a
/// handful of commands on keys the fleet already writes (no scan, no new key).
extension WorkerFleet {
    /// Seconds the oldest task not yet delivered has waited on each queue (0 when none waits).
    ///
    /// A stream entry's id is the millisecond it was added (a delayed task is added when it is
    /// due), and the consumer group's last-delivered id marks where waiting begins, so the first
    /// entry after it is the head of the line.
    public func oldestWaitingAges(_ queues: [String], now: Double = UnixTime.now()) async throws -> [String: Double] {
        let groups = try await redis.pipeline(queues.map { ["XINFO", "GROUPS", keys.stream($0)] })
        var heads: [[String]] = []
        for (index, queue) in queues.enumerated() {
            var start = "-"
            for group in groups[index].array ?? [] {
                let fields = QueueDepth.fields(of: group)
                guard fields["name"]?.string == RedisKeys.consumerGroup else { continue }
                if let last = fields["last-delivered-id"]?.string, last != "0-0" { start = "(" + last }
            }
            heads.append(["XRANGE", keys.stream(queue), start, "+", "COUNT", "1"])
        }
        let replies = try await redis.pipeline(heads)
        var ages: [String: Double] = [:]
        for (index, queue) in queues.enumerated() {
            let first = replies[index].array?.first?.array?.first?.string
            let added = first.flatMap(Self.milliseconds(ofEntryID:)).map { $0 / 1000 }
            ages[queue] = added.map { max(0, now - $0) } ?? 0
        }
        return ages
    }

    /// The beat's leader lease and each schedule's last tick, as the beat keeps them.
    public func beatState() async throws -> BeatState {
        let replies = try await redis.pipeline([
            ["GET", keys.beatLeader], ["PTTL", keys.beatLeader], ["HGETALL", keys.beatLastRun],
        ])
        var lastRuns: [String: Int64] = [:]
        for (name, value) in QueueDepth.fields(of: replies[2]) {
            if let tick = value.string.flatMap({ Int64($0) }) { lastRuns[name] = tick }
        }
        let ttl = replies[1].int ?? -2
        return BeatState(
            leader: replies[0].string, leaseRemainingSeconds: ttl > 0 ? Double(ttl) / 1000 : nil, lastRuns: lastRuns)
    }

    /// The newest `limit` dead letters over `queues`, newest first.
    public func recentDeadLetters(_ queues: [String], limit: Int) async throws -> [RedisTaskQueue.DeadLetter] {
        let replies = try await redis.pipeline(
            queues.map { ["XREVRANGE", keys.dead($0), "+", "-", "COUNT", String(limit)] })
        var letters: [(time: Double, letter: RedisTaskQueue.DeadLetter)] = []
        for (index, queue) in queues.enumerated() {
            for item in replies[index].array ?? [] {
                guard let parts = item.array, parts.count == 2, let id = parts[0].string else { continue }
                let fields = QueueDepth.fields(of: parts[1])
                let envelope = fields["t"]?.string.flatMap { try? TaskEnvelope.decode($0) }
                letters.append(
                    (
                        Self.milliseconds(ofEntryID: id) ?? 0,
                        RedisTaskQueue.DeadLetter(
                            entryID: id, queue: queue, reason: fields["reason"]?.string ?? "", envelope: envelope)
                    ))
            }
        }
        return letters.sorted { $0.time > $1.time }.prefix(limit).map(\.letter)
    }

    /// The millisecond part of a stream entry id (`1733150000000-0`).
    public static func milliseconds(ofEntryID id: String) -> Double? {
        id.split(separator: "-", maxSplits: 1).first.flatMap { Double($0) }
    }
}

/// The beat as Redis shows it: who holds the leader lease, for how much longer, and the last
/// tick each schedule ran.
public struct BeatState: Sendable, Equatable {
    /// The lease holder's id, or nil when no beat leads.
    public var leader: String?
    /// Seconds until the lease expires unless renewed.
    public var leaseRemainingSeconds: Double?
    /// Unix seconds of each schedule's last enqueued tick, by schedule name.
    public var lastRuns: [String: Int64]

    public init(leader: String?, leaseRemainingSeconds: Double?, lastRuns: [String: Int64]) {
        self.leader = leader
        self.leaseRemainingSeconds = leaseRemainingSeconds
        self.lastRuns = lastRuns
    }
}
