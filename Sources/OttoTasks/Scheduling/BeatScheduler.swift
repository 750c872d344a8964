import Logging
import OttoRedis
import OttoSupport
import ServiceLifecycle

/// The beat: holds the leader lease and, while it does, enqueues every due tick of every
/// schedule with the de-duplication key `beat:<schedule>:<tick>`, so two beats, a restart or a
/// hand-over never enqueue a tick twice. The last tick of each schedule is kept in Redis; a new
/// leader enqueues the ticks missed inside the catch-up window one by one and collapses older
/// ones into a single run.
public struct BeatScheduler: Service {
    let schedules: [Schedule]
    let queue: RedisTaskQueue
    let redis: RedisClient
    let keys: RedisKeys
    let lease: LeaderLease
    let leaseTTL: Duration
    let catchupWindow: Int64
    let logger: Logger

    public init(
        schedules: [Schedule], registry: TaskRegistry, redis: RedisClient, keys: RedisKeys, holder: String,
        leaseTTL: Duration, catchupWindow: Int, logger: Logger
    ) {
        self.schedules = schedules
        self.redis = redis
        self.keys = keys
        self.queue = RedisTaskQueue(redis: redis, keys: keys, registry: registry)
        self.lease = LeaderLease(redis: redis, key: keys.beatLeader, holder: holder, ttl: leaseTTL)
        self.leaseTTL = leaseTTL
        self.catchupWindow = Int64(catchupWindow)
        self.logger = logger
    }

    public func run() async throws {
        var leading = false
        var leaseValidUntil = ContinuousClock.now
        var nextLeaseAction = ContinuousClock.now
        var lastRun: [String: Int64] = [:]
        var warned = false
        var historyUnreadable = false
        let renewEvery = leaseTTL / 3

        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let now = ContinuousClock.now
            if now >= nextLeaseAction {
                do {
                    let held = try await lease.acquireOrRenew()
                    if warned {
                        logger.info("redis reachable")
                        warned = false
                    }
                    if held {
                        leaseValidUntil = now + leaseTTL
                        if !leading {
                            // Lead only once the schedules' last runs are known: scheduling from an
                            // empty history would start every schedule "now" and skip the ticks
                            // missed during the hand-over. A failed read is retried next round,
                            // still holding the lease, so no other beat schedules meanwhile.
                            do {
                                lastRun = try await loadLastRuns()
                            } catch {
                                if !historyUnreadable {
                                    logger.warning(
                                        "leader lease held, but the schedules' last runs could not be read; not scheduling yet",
                                        metadata: ["error": "\(error)"])
                                    historyUnreadable = true
                                }
                                nextLeaseAction = now + renewEvery
                                continue
                            }
                            historyUnreadable = false
                            leading = true
                            logger.info("leader lease acquired; scheduling")
                        }
                    } else if leading {
                        leading = false
                        logger.warning("leader lease lost; another beat schedules now")
                    }
                } catch {
                    if !warned {
                        logger.warning("lease not renewed; retrying", metadata: ["error": "\(error)"])
                        warned = true
                    }
                }
                nextLeaseAction = now + renewEvery
            }
            // Act as leader only while the lease is surely ours (a safety margin before expiry).
            if leading && ContinuousClock.now >= leaseValidUntil - renewEvery / 2 {
                leading = false
                logger.warning("leader lease could not be renewed in time; stepping down")
            }
            var wake = nextLeaseAction
            if leading {
                do {
                    try await enqueueDueTicks(&lastRun)
                } catch {
                    logger.warning("ticks not enqueued; retrying", metadata: ["error": "\(error)"])
                }
                let current = Int64(UnixTime.now())
                for schedule in schedules {
                    if let tick = schedule.nextTick(after: max(current, lastRun[schedule.name] ?? current)) {
                        let seconds = Double(tick) - UnixTime.now()
                        wake = min(wake, ContinuousClock.now + .milliseconds(Int64(max(0, seconds) * 1000) + 5))
                    }
                }
            }
            let sleep = wake - ContinuousClock.now
            if sleep > .zero { await sleepUnlessShuttingDown(for: sleep) }
        }
        if leading {
            try? await lease.release()
            logger.info("leader lease released")
        }
    }

    private func loadLastRuns() async throws -> [String: Int64] {
        let reply = try await redis.send(["HGETALL", keys.beatLastRun])
        var result: [String: Int64] = [:]
        for (name, value) in QueueDepth.fields(of: reply) {
            if let text = value.string, let tick = Int64(text) { result[name] = tick }
        }
        return result
    }

    private func enqueueDueTicks(_ lastRun: inout [String: Int64]) async throws {
        let now = Int64(UnixTime.now())
        for schedule in schedules {
            // A schedule never seen before starts now: no history to catch up.
            let last = lastRun[schedule.name] ?? (now - 1)
            let due = schedule.ticks(after: last, through: now)
            guard !due.isEmpty else {
                if lastRun[schedule.name] == nil { lastRun[schedule.name] = last }
                continue
            }
            let recent = due.filter { now - $0 <= catchupWindow }
            let old = due.filter { now - $0 > catchupWindow }
            var toRun = recent
            if let newestOld = old.last {
                toRun.insert(newestOld, at: 0)
                logger.notice(
                    "missed ticks outside the catch-up window collapse into one run",
                    metadata: ["schedule": .string(schedule.name), "collapsed": .stringConvertible(old.count)])
            }
            for tick in toRun {
                let key = schedule.dedupKey(tick: tick)
                let result = try await queue.enqueue(
                    name: schedule.task, arguments: schedule.arguments,
                    options: EnqueueOptions(
                        queue: schedule.queue, dedupKey: key, dedupWindow: Int(catchupWindow) + 3600))
                logger.info(
                    "tick enqueued",
                    metadata: [
                        "schedule": .string(schedule.name), "tick": .stringConvertible(tick),
                        "task_id": .string(result.id),
                        "dedup_key": .string(key), "created": .stringConvertible(result.created),
                    ])
                lastRun[schedule.name] = tick
                _ = try await redis.send(["HSET", keys.beatLastRun, schedule.name, String(tick)])
            }
        }
    }
}
