import OttoRedis
import OttoSupport

/// A provider's concurrency and rate limits, shared by every worker through Redis, and its
/// pause after a 429: a task calls its provider inside ``withPermit(leaseTTL:_:)`` and, when no
/// permit is free, defers (``TaskDeferral``) instead of spending an attempt.
///
/// A permit is a lease: a worker killed mid-call never releases its permit, and the lease's
/// expiry frees it. Keep `leaseTTL` above the call's own timeout, or a slow call's permit is
/// handed to another caller while it still runs.
public struct OutboundLimit: Sendable {
    /// One provider's limits (from the worker's configuration).
    public struct Settings: Sendable, Equatable {
        /// The provider, part of the keys ("deepgram").
        public var name: String
        /// At most this many calls at once, across all workers.
        public var concurrency: Int
        /// At most this many starts per second, across all workers; nil = no rate limit.
        public var ratePerSecond: Double?

        public init(name: String, concurrency: Int, ratePerSecond: Double? = nil) {
            self.name = name
            self.concurrency = concurrency
            self.ratePerSecond = ratePerSecond
        }

        /// The rate as whole starts per window: 5/s is 5 per 1 s, 0.5/s is 1 per 2 s, 2.5/s is 2
        /// per 0.8 s. A sliding window of whole starts keeps the script to one sorted set.
        var rateWindow: (starts: Int, milliseconds: Int64)? {
            guard let rate = ratePerSecond, rate > 0, rate.isFinite else { return nil }
            let starts = max(1, Int(rate.rounded(.down)))
            return (starts, Int64((Double(starts) / rate * 1000).rounded(.up)))
        }
    }

    public let redis: RedisClient
    public let keys: RedisKeys
    public let settings: Settings

    public init(redis: RedisClient, keys: RedisKeys, settings: Settings) {
        self.redis = redis
        self.keys = keys
        self.settings = settings
    }

    /// How long a permit outlives the worker that holds it: renewed every third of it while the
    /// call runs, so a killed worker's permits free themselves within this.
    public static let defaultLease: Duration = .seconds(15)

    /// Runs `body` holding a permit (a lease of `leaseTTL`, renewed while `body` runs, so a killed
    /// worker's permit frees itself within one lease; released when body ends, also when it throws). No permit free, rate spent, or paused: throws
    /// TaskDeferral with the delay until a permit is likely (a short jittered delay, 0.2–1 s, for
    /// concurrency; the rest of the rate window; the rest of the pause). Redis unreachable: throws
    /// TaskDeferral of 1–2 s, so an outage of Redis does not spend the task's attempts either.
    public func withPermit<T: Sendable>(
        leaseTTL: Duration = OutboundLimit.defaultLease, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        let permit = FastRandom.uuidString()
        let window = settings.rateWindow
        let reply: RedisValue
        do {
            reply = try await redis.eval(
                OutboundLimitScripts.acquire,
                keys: [
                    keys.outboundLeases(settings.name), keys.outboundStarts(settings.name),
                    keys.outboundPause(settings.name),
                ],
                arguments: [
                    permit, String(max(0, settings.concurrency)), String(max(1, leaseTTL.inMilliseconds)),
                    String(window?.starts ?? 0), String(window?.milliseconds ?? 0),
                ])
        } catch let error as RedisError where error.code != .server {
            throw TaskDeferral(
                delay: .milliseconds(Int64.random(in: 1000...2000)),
                reason: "outbound limit \(settings.name) unavailable: redis \(error.code)")
        }
        let parts = reply.array ?? []
        guard parts.first?.int == 1 else {
            let wait = parts.count > 1 ? (parts[1].int ?? 0) : 0
            let reason = parts.count > 2 ? (parts[2].string ?? "concurrency") : "concurrency"
            throw TaskDeferral(
                delay: Self.delay(reason: reason, waitMilliseconds: wait), reason: "\(settings.name) \(reason)")
        }
        // The lease is renewed while the call runs, so it can be short: a killed worker's permit
        // frees itself within one lease, however long its provider calls may take.
        let renewal = Task { [redis, keys, settings] in
            while !Task.isCancelled {
                try? await DeadlineTimer.shared.sleep(for: leaseTTL / 3)
                if Task.isCancelled { break }
                _ = try? await redis.eval(
                    OutboundLimitScripts.renew, keys: [keys.outboundLeases(settings.name)],
                    arguments: [permit, String(max(1, leaseTTL.inMilliseconds))])
            }
        }
        let result: T
        do {
            result = try await body()
        } catch {
            renewal.cancel()
            await release(permit)
            throw error
        }
        renewal.cancel()
        await release(permit)
        return result
    }

    /// Every worker's calls defer until now + duration (a 429's Retry-After); a shorter pause never
    /// shortens a longer one.
    public func pause(for duration: Duration) async throws {
        guard duration.inMilliseconds > 0 else { return }
        _ = try await redis.eval(
            OutboundLimitScripts.pause, keys: [keys.outboundPause(settings.name)],
            arguments: [String(duration.inMilliseconds)])
    }

    /// Permits in use (leases not yet expired) and the pause, for operators and tests.
    public func snapshot() async throws -> OutboundLimitSnapshot {
        let reply = try await redis.eval(
            OutboundLimitScripts.snapshot,
            keys: [keys.outboundLeases(settings.name), keys.outboundPause(settings.name)], arguments: [])
        let parts = reply.array ?? []
        let inUse = parts.first?.int ?? 0
        let pausedMs = parts.count > 1 ? (parts[1].int ?? 0) : 0
        return OutboundLimitSnapshot(
            name: settings.name, inUse: inUse, concurrency: settings.concurrency,
            pausedUntil: pausedMs > 0 ? Double(pausedMs) / 1000 : nil)
    }

    /// Frees a permit. A failure (Redis away) is left to the lease's expiry: the call's own
    /// result matters more than the permit's early return.
    private func release(_ permit: String) async {
        _ = try? await redis.send(["ZREM", keys.outboundLeases(settings.name), permit])
    }

    /// The deferral for a refusal: the script's wait for a pause or a spent rate; for a full
    /// concurrency, 0.2–1 s with jitter, so deferred callers do not return in step.
    static func delay(reason: String, waitMilliseconds: Int) -> Duration {
        if reason == "concurrency" || waitMilliseconds <= 0 {
            return .milliseconds(Int64.random(in: 200...1000))
        }
        return .milliseconds(Int64(waitMilliseconds))
    }
}
