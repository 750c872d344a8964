import Logging
import NIOConcurrencyHelpers
import OttoRedis
import OttoSupport
import ServiceLifecycle

/// The worker: reads its queues with blocking XREADGROUP calls, runs up to `concurrency` tasks
/// at once in one task group, acknowledges in batches, renews the leases of long tasks,
/// promotes due delayed tasks, and claims the entries of workers that died.
///
/// On graceful shutdown it stops fetching, gives in-flight tasks `shutdownGrace` to finish,
/// cancels the rest (left pending for other workers) and flushes its acknowledgements.
public struct TaskWorker: Service {
    let settings: WorkerSettings
    let redis: RedisClient
    let queue: RedisTaskQueue
    let executor: TaskExecutor
    let logger: Logger
    let keys: RedisKeys
    private let acks: AckBuffer
    private let inFlight = InFlightRegistry()
    private let inbox = NIOLockedValueBox<[Delivery]>([])
    private let stopping = NIOLockedValueBox(false)
    private let retryDue: NIOLockedValueBox<Double?>

    public init(
        settings: WorkerSettings, redis: RedisClient, keys: RedisKeys, registry: TaskRegistry,
        stats: WorkerStats, logger: Logger
    ) {
        self.settings = settings
        self.redis = redis
        self.keys = keys
        self.logger = logger
        self.queue = RedisTaskQueue(redis: redis, keys: keys, registry: registry)
        let acks = AckBuffer()
        self.acks = acks
        let retryDue = NIOLockedValueBox<Double?>(nil)
        self.retryDue = retryDue
        self.executor = TaskExecutor(
            redis: redis, keys: keys, registry: registry, logger: logger, stats: stats, acks: acks,
            retryDue: retryDue, databaseRetrySpan: settings.databaseRetrySpan,
            deferralSpan: settings.deferralSpan)
    }

    private var isStopping: Bool { stopping.withLockedValue { $0 } }

    public func run() async throws {
        guard await prepareGroups() else { return }
        logger.info(
            "otto-worker ready",
            metadata: [
                "worker_id": .string(settings.id), "queues": .string(settings.queues.joined(separator: ",")),
                "concurrency": .stringConvertible(settings.concurrency),
            ])
        let gate = SlotGate(capacity: settings.concurrency)
        await withDiscardingTaskGroup { group in
            group.addTask { await self.flushAcknowledgements() }
            group.addTask { await self.maintain() }
            group.addTask { await self.renewLeases() }
            await fetchLoop(gate: gate, group: &group)
            await drain(gate: gate, group: &group)
        }
        logger.info("worker stopped fetching and drained", metadata: ["worker_id": .string(settings.id)])
    }

    /// Creates the consumer groups, retrying with backoff while Redis is down.
    private func prepareGroups() async -> Bool {
        await retryWhileRedisIsUnreachable(logger: logger) {
            for name in settings.queues { try await queue.ensureGroup(name) }
        }
    }

    private func fetchLoop(gate: SlotGate, group: inout DiscardingTaskGroup) async {
        let streams = settings.queues.map(keys.stream)
        var queueOfStream: [String: String] = [:]
        for name in settings.queues { queueOfStream[keys.stream(name)] = name }
        let priority = Dictionary(uniqueKeysWithValues: settings.queues.enumerated().map { ($1, $0) })
        var buffer: [Delivery] = []
        var connection: RedisConnection?
        var backoff = Duration.milliseconds(100)
        var failing = false

        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            // Every slot may be busy with long tasks when SIGTERM comes: stop waiting then, so
            // the grace period starts at the signal, not when a task happens to end.
            let free = await withGracefulShutdownHandler {
                await gate.waitForFree()
            } onGracefulShutdown: {
                gate.stopWaiting()
            }
            if Task.isShuttingDownGracefully || free == 0 { break }
            buffer.append(
                contentsOf: inbox.withLockedValue { items in
                    defer { items = [] }
                    return items
                })
            if buffer.isEmpty {
                do {
                    if connection == nil { connection = try await redis.makeDedicatedConnection() }
                    let count = free + settings.prefetch
                    let block = settings.blockTime
                    let reading = connection!
                    let reply = try await withGracefulShutdownHandler {
                        try await reading.send(
                            [
                                "XREADGROUP", "GROUP", RedisKeys.consumerGroup, settings.id, "COUNT", String(count),
                                "BLOCK", String(block.inMilliseconds), "STREAMS",
                            ]
                                + streams + Array(repeating: ">", count: streams.count),
                            timeout: block + .seconds(3))
                    } onGracefulShutdown: {
                        Task { await reading.close() }
                    }
                    buffer = inFlight.adopt(Delivery.parse(reply, queueOfStream: queueOfStream))
                    buffer.sort { priority[$0.queue, default: 0] < priority[$1.queue, default: 0] }
                    if failing {
                        logger.info("redis reachable; fetching again")
                        failing = false
                    }
                    backoff = .milliseconds(100)
                } catch {
                    if Task.isShuttingDownGracefully { break }
                    if let redisError = error as? RedisError, redisError.serverMessage?.hasPrefix("NOGROUP") == true {
                        _ = await prepareGroups()
                        continue
                    }
                    if !failing {
                        logger.warning("fetch failed; reconnecting with backoff", metadata: ["error": "\(error)"])
                        failing = true
                    }
                    await connection?.close()
                    connection = nil
                    await sleepUnlessShuttingDown(for: backoff)
                    backoff = min(backoff * 2, .seconds(5))
                    continue
                }
            }
            let available = min(buffer.count, max(free, gate.capacity - gate.busy))
            for delivery in buffer.prefix(available) {
                gate.take()
                group.addTask {
                    await executor.execute(delivery)
                    inFlight.remove(delivery.entryID)
                    gate.release()
                }
            }
            buffer.removeFirst(available)
        }
        // Prefetched but never started: leave them pending; other workers claim them after the
        // visibility timeout. Put them back in the inbox so a restart of this loop would run them.
        if !buffer.isEmpty {
            logger.info(
                "leaving prefetched tasks pending for other workers",
                metadata: ["count": .stringConvertible(buffer.count)])
        }
        await connection?.close()
    }

    /// After fetching stops: wait up to the grace period for in-flight tasks, cancel the rest,
    /// flush acknowledgements and stop the helper loops.
    private func drain(gate: SlotGate, group: inout DiscardingTaskGroup) async {
        let grace = settings.shutdownGrace
        let drained = await withTaskGroup(of: Bool.self) { race in
            race.addTask {
                await gate.waitUntilIdle()
                return !Task.isCancelled
            }
            race.addTask {
                try? await Task.sleep(for: grace)
                return false
            }
            let first = await race.next() ?? false
            race.cancelAll()
            return first
        }
        if !drained {
            logger.warning(
                "grace period over; cancelling in-flight tasks (they stay pending for other workers)",
                metadata: ["in_flight": .stringConvertible(gate.busy)])
            group.cancelAll()
            // Cancelled tasks end at their next suspension point. (When this task itself is
            // cancelled the wait returns at once, and the task group's end awaits them instead.)
            await gate.waitUntilIdle()
        }
        stopping.withLockedValue { $0 = true }
        acks.close()
    }

    private func flushAcknowledgements() async {
        while let batch = await acks.next() {
            var commands: [[String]] = []
            for (name, ids) in batch {
                commands.append(["XACK", keys.stream(name), RedisKeys.consumerGroup] + ids)
                commands.append(["XDEL", keys.stream(name)] + ids)
            }
            do {
                _ = try await redis.pipeline(commands)
            } catch {
                if isStopping { return }
                acks.restore(batch)
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// Promotes due delayed tasks (sleeping until the next is due, at most the maintenance
    /// interval) and claims entries of dead workers every half visibility timeout.
    private func maintain() async {
        let visibilityMs = settings.visibilityTimeout.inMilliseconds
        var lastReclaim = ContinuousClock.now
        var cursors: [String: String] = [:]
        while !isStopping && !Task.isCancelled {
            var sleep = settings.maintenanceInterval
            for name in settings.queues {
                do {
                    let reply = try await redis.eval(
                        QueueScripts.promote, keys: [keys.delayed(name), keys.stream(name)],
                        arguments: [String(UnixTime.nowMilliseconds()), "500"])
                    let parts = reply.array ?? []
                    let moved = parts.first?.int ?? 0
                    let nextDue = parts.count > 1 ? (parts[1].int ?? -1) : -1
                    if moved >= 500 {
                        sleep = .zero
                    } else if nextDue > 0 {
                        let wait = max(0, Int64(nextDue) - UnixTime.nowMilliseconds())
                        sleep = min(sleep, .milliseconds(wait))
                    }
                } catch {
                    sleep = .seconds(1)
                }
            }
            if ContinuousClock.now - lastReclaim >= settings.visibilityTimeout / 2 {
                lastReclaim = ContinuousClock.now
                for name in settings.queues {
                    guard
                        let reply = try? await redis.eval(
                            QueueScripts.reclaim, keys: [keys.stream(name), keys.dead(name)],
                            arguments: [
                                RedisKeys.consumerGroup, settings.id, String(visibilityMs), "100",
                                String(settings.maxDeliveries), cursors[name] ?? "0-0",
                            ])
                    else { continue }
                    let items = reply.array ?? []
                    cursors[name] = items.first?.string ?? "0-0"
                    if let deleted = items.count > 1 ? items[1].int : nil, deleted > 0 {
                        logger.warning(
                            "pending tasks were deleted from the stream before they completed; dead letters record them",
                            metadata: ["queue": .string(name), "count": .stringConvertible(deleted)])
                    }
                    var claimed: [Delivery] = []
                    var index = 2
                    while index + 1 < items.count {
                        if let id = items[index].string, let envelope = items[index + 1].string {
                            claimed.append(Delivery(queue: name, entryID: id, envelope: envelope))
                        }
                        index += 2
                    }
                    claimed = inFlight.adopt(claimed)
                    if !claimed.isEmpty {
                        logger.notice(
                            "claimed tasks of a worker that stopped answering",
                            metadata: ["queue": .string(name), "count": .stringConvertible(claimed.count)])
                        inbox.withLockedValue { $0.append(contentsOf: claimed) }
                    }
                }
            }
            let remaining = settings.visibilityTimeout / 2 - (ContinuousClock.now - lastReclaim)
            sleep = max(.milliseconds(20), min(sleep, remaining))
            await sleepUnlessStopping(sleep, wakeForRetries: true)
        }
    }

    /// Resets the idle time of entries owned longer than a third of the visibility timeout (running
    /// or waiting in this worker's buffer), so no other worker claims them while this one lives.
    private func renewLeases() async {
        let third = settings.visibilityTimeout / 3
        while !isStopping && !Task.isCancelled {
            await sleepUnlessStopping(third)
            for (name, ids) in inFlight.olderThan(third.inSeconds) {
                guard
                    let reply = try? await redis.eval(
                        QueueScripts.renew, keys: [keys.stream(name)],
                        arguments: [RedisKeys.consumerGroup, settings.id] + ids)
                else { continue }
                let lost = (reply.array ?? []).dropFirst().compactMap(\.string)
                if !lost.isEmpty {
                    // This worker stalled past the visibility timeout and another claimed them:
                    // they are that worker's now. Stop renewing; never take them back.
                    inFlight.markLost(lost)
                    logger.notice(
                        "tasks another worker took over are no longer renewed here",
                        metadata: ["queue": .string(name), "count": .stringConvertible(lost.count)])
                }
            }
        }
    }

    /// Sleeps up to `duration` in quarter-second slices so the loop notices when the worker
    /// stops; with `wakeForRetries` it also returns when a retry this worker scheduled falls due.
    private func sleepUnlessStopping(_ duration: Duration, wakeForRetries: Bool = false) async {
        let deadline = ContinuousClock.now + duration
        while !isStopping && !Task.isCancelled && ContinuousClock.now < deadline {
            var slice = min(.milliseconds(250), deadline - ContinuousClock.now)
            if wakeForRetries, let due = retryDue.withLockedValue({ $0 }) {
                let wait = due - UnixTime.now()
                if wait <= 0 {
                    retryDue.withLockedValue { $0 = nil }
                    return
                }
                slice = min(slice, .milliseconds(Int64(wait * 1000) + 1))
            }
            try? await Task.sleep(for: slice)
        }
    }
}
