import OttoRedis
import OttoSupport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The Redis Streams queue: producers enqueue here; operators list, replay and purge dead letters.
public struct RedisTaskQueue: TaskEnqueuer {
    public let redis: RedisClient
    public let keys: RedisKeys
    public let registry: TaskRegistry

    public init(redis: RedisClient, keys: RedisKeys, registry: TaskRegistry) {
        self.redis = redis
        self.keys = keys
        self.registry = registry
    }

    /// Builds the envelope of a new task (attempt 1).
    public func makeEnvelope(name: String, arguments: String, options: EnqueueOptions) throws -> TaskEnvelope {
        try TaskEnvelope.first(name: name, arguments: arguments, options: options, registry: registry)
    }

    public func enqueue(name: String, arguments: String, options: EnqueueOptions) async throws -> EnqueueResult {
        let envelope = try makeEnvelope(name: name, arguments: arguments, options: options)
        let queue = envelope.queue
        let delayed = envelope.dueAt > envelope.enqueuedAt + 0.001
        if options.resultTTL != nil {
            try await TaskStateStore(redis: redis, keys: keys).markQueued(envelope)
        }
        if options.dedupKey == nil && !delayed {
            _ = try await redis.send(["XADD", keys.stream(queue), "*", "t", try envelope.encoded()])
            return EnqueueResult(id: envelope.id, queue: queue, created: true)
        }
        let reply = try await redis.eval(
            QueueScripts.enqueue,
            keys: [keys.stream(queue), keys.delayed(queue), keys.dedup(queue: queue, options.dedupKey ?? "none")],
            arguments: [
                try envelope.encoded(), delayed ? String(Int64(envelope.dueAt * 1000)) : "0",
                options.dedupKey == nil ? "" : String(options.dedupWindow), envelope.id,
            ])
        let parts = reply.array ?? []
        let created = parts.first?.int == 1
        let id = parts.count > 1 ? (parts[1].string ?? envelope.id) : envelope.id
        return EnqueueResult(id: id, queue: queue, created: created)
    }

    /// Enqueues many tasks of one kind in pipelined batches (the operator's `--count`, benchmarks).
    public func enqueueMany(name: String, arguments: String, count: Int, options: EnqueueOptions) async throws
        -> [String]
    {
        var ids: [String] = []
        ids.reserveCapacity(count)
        var remaining = count
        while remaining > 0 {
            let batch = min(remaining, 500)
            var commands: [[String]] = []
            commands.reserveCapacity(batch)
            var envelopes: [TaskEnvelope] = []
            for _ in 0..<batch {
                let envelope = try makeEnvelope(name: name, arguments: arguments, options: options)
                envelopes.append(envelope)
                if envelope.dueAt > envelope.enqueuedAt + 0.001 {
                    commands.append([
                        "ZADD", keys.delayed(envelope.queue), String(Int64(envelope.dueAt * 1000)),
                        try envelope.encoded(),
                    ])
                } else {
                    commands.append(["XADD", keys.stream(envelope.queue), "*", "t", try envelope.encoded()])
                }
            }
            let replies = try await redis.pipeline(commands)
            for (envelope, reply) in zip(envelopes, replies) {
                if case .error(let message) = reply { throw RedisError(code: .server, serverMessage: message) }
                ids.append(envelope.id)
            }
            remaining -= batch
        }
        return ids
    }

    /// Creates a queue's consumer group (from the start of the stream, so tasks enqueued before
    /// any worker existed are delivered). Idempotent.
    public func ensureGroup(_ queue: String) async throws {
        do {
            _ = try await redis.send(["XGROUP", "CREATE", keys.stream(queue), RedisKeys.consumerGroup, "0", "MKSTREAM"])
        } catch let error as RedisError where error.serverMessage?.hasPrefix("BUSYGROUP") == true {
            return
        }
    }

    // MARK: Dead letters

    /// One dead-lettered task.
    public struct DeadLetter: Codable, Sendable {
        public var entryID: String
        public var queue: String
        public var reason: String
        public var envelope: TaskEnvelope?
        enum CodingKeys: String, CodingKey {
            case entryID = "entry_id"
            case queue, reason, envelope
        }
    }

    /// The dead letters of a queue, oldest first.
    public func deadLetters(queue: String, limit: Int = 100) async throws -> [DeadLetter] {
        let reply = try await redis.send(["XRANGE", keys.dead(queue), "-", "+", "COUNT", String(limit)])
        return (reply.array ?? []).compactMap { item -> DeadLetter? in
            guard let parts = item.array, parts.count == 2, let id = parts[0].string else { return nil }
            let fields = QueueDepth.fields(of: parts[1])
            let envelope = fields["t"]?.string.flatMap { try? TaskEnvelope.decode($0) }
            return DeadLetter(entryID: id, queue: queue, reason: fields["reason"]?.string ?? "", envelope: envelope)
        }
    }

    /// Puts dead letters back on their queue with a fresh attempt count; returns the task ids replayed.
    public func replay(queue: String, entryIDs: [String]? = nil, limit: Int = 1000) async throws -> [String] {
        try await ensureGroup(queue)
        let letters = try await deadLetters(queue: queue, limit: limit)
        var replayed: [String] = []
        for letter in letters
        where entryIDs == nil || entryIDs!.contains(letter.entryID) || entryIDs!.contains(letter.envelope?.id ?? "") {
            guard var envelope = letter.envelope else { continue }
            envelope.attempt = 1
            envelope.dueAt = UnixTime.now()
            let moved = try await redis.eval(
                QueueScripts.replay, keys: [keys.dead(queue), keys.stream(queue)],
                arguments: [letter.entryID, try envelope.encoded()])
            if moved.int == 1 { replayed.append(envelope.id) }
        }
        return replayed
    }

    /// Deletes a queue's dead letters; returns how many there were.
    public func purgeDead(queue: String) async throws -> Int {
        let replies = try await redis.pipeline([["XLEN", keys.dead(queue)], ["DEL", keys.dead(queue)]])
        return replies.first?.int ?? 0
    }
}

extension RedisKeys {
    /// A de-duplication key inside the queue's hash tag, so the enqueue script touches one slot.
    public func dedup(queue: String, _ key: String) -> String { "\(prefix){\(queue)}:dedup:\(key)" }
}

extension RedisTaskQueue {
    /// Whether `text` is a JSON object, the only shape task arguments take.
    public static func isJSONObject(_ text: String) -> Bool { TaskJSON.isObject(text) }
}
