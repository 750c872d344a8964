import Foundation
import Logging
import OttoRedis
import OttoTasks
import OttoTestSupport
import Testing

/// Shared outbound limits against a real Redis, with callers on separate connections.
@Suite("Outbound limits")
struct OutboundLimitTests {
    /// Counts the calls inside their permit and the attempts that have been decided.
    actor Tally {
        var inFlight = 0
        var maxInFlight = 0
        var admitted = 0
        var deferrals: [TaskDeferral] = []
        var decided: Int { admitted + deferrals.count }

        func enter() {
            inFlight += 1
            admitted += 1
            maxInFlight = max(maxInFlight, inFlight)
        }
        func leave() { inFlight -= 1 }
        func deferred(_ deferral: TaskDeferral) { deferrals.append(deferral) }
    }

    struct Boom: Error {}

    @Test("concurrency 4: 20 callers from 3 clients, never more than 4 inside, the rest deferred, all permits freed")
    func concurrencyIsSharedAcrossClients() async throws {
        let redis = try ThrottlingRedis(name: "limit-conc", clients: 3)
        let limits = redis.clients.map {
            OutboundLimit(redis: $0, keys: redis.keys, settings: .init(name: "deepgram", concurrency: 4))
        }
        let tally = Tally()

        // Every permit holder stays inside until all 20 attempts are decided, so no permit frees
        // early and exactly the limit's worth is admitted.
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<20 {
                let limit = limits[index % limits.count]
                group.addTask {
                    do {
                        try await limit.withPermit(leaseTTL: .seconds(30)) {
                            await tally.enter()
                            _ = await eventually(timeout: .seconds(30), every: .milliseconds(20)) {
                                await tally.decided == 20
                            }
                            await tally.leave()
                        }
                    } catch let deferral as TaskDeferral {
                        await tally.deferred(deferral)
                    } catch {
                        Issue.record("unexpected error \(error)")
                    }
                }
            }
        }

        #expect(await tally.maxInFlight <= 4)
        #expect(await tally.admitted == 4)
        let deferrals = await tally.deferrals
        #expect(deferrals.count == 16)
        for deferral in deferrals {
            #expect(deferral.delay >= .milliseconds(200) && deferral.delay <= .seconds(1), "\(deferral)")
        }
        #expect(try await limits[0].snapshot().inUse == 0)

        // A body that throws still gives its permit back.
        await #expect(throws: Boom.self) {
            try await limits[1].withPermit(leaseTTL: .seconds(30)) { () async throws -> Int in
                #expect(try await limits[2].snapshot().inUse == 1)
                throw Boom()
            }
        }
        #expect(try await limits[2].snapshot().inUse == 0)
        await redis.cleanUp()
    }

    @Test("rate 5/s: at most 5 starts are admitted in any one-second window, the rest defer to the window's end")
    func rateIsSharedAcrossClients() async throws {
        let redis = try ThrottlingRedis(name: "limit-rate", clients: 3)
        let limits = redis.clients.map {
            OutboundLimit(
                redis: $0, keys: redis.keys, settings: .init(name: "openai", concurrency: 100, ratePerSecond: 5))
        }
        // Each admitted start is known to lie between the call and the body's first line.
        actor Starts {
            var admitted: [(called: ContinuousClock.Instant, entered: ContinuousClock.Instant)] = []
            var deferrals: [TaskDeferral] = []
            func add(_ called: ContinuousClock.Instant, _ entered: ContinuousClock.Instant) {
                admitted.append((called, entered))
            }
            func deferred(_ deferral: TaskDeferral) { deferrals.append(deferral) }
        }
        let starts = Starts()

        await withTaskGroup(of: Void.self) { group in
            for index in 0..<20 {
                let limit = limits[index % limits.count]
                group.addTask {
                    let called = ContinuousClock.now
                    do {
                        try await limit.withPermit(leaseTTL: .seconds(30)) {
                            await starts.add(called, ContinuousClock.now)
                        }
                    } catch let deferral as TaskDeferral {
                        await starts.deferred(deferral)
                    } catch {
                        Issue.record("unexpected error \(error)")
                    }
                }
            }
        }

        let admitted = await starts.admitted
        let deferrals = await starts.deferrals
        #expect(admitted.count + deferrals.count == 20)
        #expect(admitted.count >= 1)
        // Starts surely inside [a.called, a.called + 1 s): at most 5, whatever the machine's speed.
        for first in admitted {
            let inWindow = admitted.filter { $0.called >= first.called && $0.entered < first.called + .seconds(1) }
            #expect(inWindow.count <= 5, "\(inWindow.count) starts within one second")
        }
        for deferral in deferrals {
            #expect(deferral.delay > .zero && deferral.delay <= .seconds(1), "\(deferral)")
        }

        // After the window the rate is there again.
        let wait = deferrals.map(\.delay).max() ?? .zero
        try await Task.sleep(for: wait + .milliseconds(50))
        let again = try await limits[0].withPermit(leaseTTL: .seconds(30)) { "started" }
        #expect(again == "started")
        await redis.cleanUp()
    }

    @Test("pause(2 s): calls defer at least the rest of the pause, and a shorter pause keeps the longer one")
    func pauseDefersEveryone() async throws {
        let redis = try ThrottlingRedis(name: "limit-pause", clients: 2)
        let settings = OutboundLimit.Settings(name: "twilio", concurrency: 10)
        let pausing = OutboundLimit(redis: redis.clients[0], keys: redis.keys, settings: settings)
        let other = OutboundLimit(redis: redis.clients[1], keys: redis.keys, settings: settings)

        let started = ContinuousClock.now
        try await pausing.pause(for: .seconds(2))
        let pausedUntil = try #require(try await other.snapshot().pausedUntil)

        let deferral = await #expect(throws: TaskDeferral.self) {
            try await other.withPermit(leaseTTL: .seconds(30)) { Issue.record("ran during the pause") }
        }
        let elapsed = ContinuousClock.now - started
        let delay = try #require(deferral).delay
        // The script's clock has millisecond steps: allow one.
        #expect(delay >= .seconds(2) - elapsed - .milliseconds(1), "deferred \(delay) after \(elapsed)")
        #expect(delay <= .seconds(2))

        try await other.pause(for: .milliseconds(300))
        #expect(try await pausing.snapshot().pausedUntil == pausedUntil)

        // Once the pause ends, calls run again.
        let resumed = await eventually(timeout: .seconds(10), every: .milliseconds(100)) {
            (try? await other.withPermit(leaseTTL: .seconds(30)) { true }) == true
        }
        #expect(resumed)
        #expect(try await other.snapshot().pausedUntil == nil)
        await redis.cleanUp()
    }

    @Test("a permit whose holder never releases it frees itself when its lease expires")
    func leaseExpiryFreesAPermit() async throws {
        let redis = try ThrottlingRedis(name: "limit-lease", clients: 2)
        let settings = OutboundLimit.Settings(name: "deepgram", concurrency: 1)
        let stuck = OutboundLimit(redis: redis.clients[0], keys: redis.keys, settings: settings)
        let other = OutboundLimit(redis: redis.clients[1], keys: redis.keys, settings: settings)

        // A holder that hangs (as a killed worker would, it never gives the permit back in time).
        let hanging = Task {
            try await stuck.withPermit(leaseTTL: .seconds(3)) { try await Task.sleep(for: .seconds(60)) }
        }
        #expect(await eventually(timeout: .seconds(10)) { (try? await other.snapshot().inUse) == 1 })
        await #expect(throws: TaskDeferral.self) {
            try await other.withPermit(leaseTTL: .seconds(30)) { Issue.record("ran beside the held permit") }
        }
        // Its process dies: no more renewals reach Redis.
        await redis.clients[0].close()

        let ran = await eventually(timeout: .seconds(15), every: .milliseconds(100)) {
            (try? await other.withPermit(leaseTTL: .seconds(30)) { true }) == true
        }
        #expect(ran, "the expired lease still holds the only permit")
        hanging.cancel()
        _ = await hanging.result
        await redis.cleanUp()
    }

    @Test("a live holder's permit is renewed: it outlasts several leases while the call runs, and frees at its end")
    func liveHolderKeepsItsPermit() async throws {
        let redis = try ThrottlingRedis(name: "limit-renew", clients: 2)
        let settings = OutboundLimit.Settings(name: "openai", concurrency: 1)
        let holder = OutboundLimit(redis: redis.clients[0], keys: redis.keys, settings: settings)
        let other = OutboundLimit(redis: redis.clients[1], keys: redis.keys, settings: settings)
        let release = AsyncStream<Void>.makeStream()
        let running = Task {
            try await holder.withPermit(leaseTTL: .milliseconds(900)) {
                for await _ in release.stream { break }
            }
        }
        #expect(await eventually(timeout: .seconds(10)) { (try? await other.snapshot().inUse) == 1 })
        // Four leases later the call still holds the only permit.
        try await Task.sleep(for: .milliseconds(3600))
        await #expect(throws: TaskDeferral.self) {
            try await other.withPermit { Issue.record("ran while the live holder's call ran") }
        }
        release.continuation.yield()
        try await running.value
        #expect(try await other.snapshot().inUse == 0)
        #expect(try await other.withPermit { true })
        await redis.cleanUp()
    }

    @Test("Redis unreachable: the call defers for 1–2 s instead of failing its attempt, and the body never runs")
    func redisDownDefers() async throws {
        // A free port with nothing listening: connections are refused, as when Redis is down.
        let endpoint = try RedisEndpoint(url: "redis://127.0.0.1:\(FreePort.pick())")
        let redis = RedisClient(endpoint: endpoint, logger: Logger(label: "test"))
        let limit = OutboundLimit(
            redis: redis, keys: RedisKeys(prefix: TestServices.uniquePrefix("limit-down")),
            settings: .init(name: "deepgram", concurrency: 4))

        let deferral = await #expect(throws: TaskDeferral.self) {
            try await limit.withPermit(leaseTTL: .seconds(30)) { Issue.record("ran without a permit") }
        }
        let delay = try #require(deferral).delay
        #expect(delay >= .seconds(1) && delay <= .seconds(2), "\(delay)")
        await redis.close()
    }
}
