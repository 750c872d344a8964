import Foundation
import Logging
import OttoRedis
import OttoTasks
import OttoTestSupport
import Testing

/// Per-tenant fair admission against a real Redis: what reaches the stream, in which order.
@Suite("Fair admission")
struct FairAdmissionTests {
    static let registry = TaskRegistry()

    static func envelope(_ label: String, options: EnqueueOptions = .init()) throws -> TaskEnvelope {
        try TaskEnvelope.first(
            name: "call_analysis.fetch", arguments: #"{"label":"\#(label)"}"#, options: options, registry: registry)
    }

    @Test("a tenant's 100 submissions hold 2 slots; another tenant's one goes in at once; releases admit FIFO")
    func backlogDoesNotDelayAnotherTenant() async throws {
        let redis = try ThrottlingRedis(name: "fair")
        let admission = FairAdmission(redis: redis.redis, keys: redis.keys, queue: "default", perTenantLimit: 2)

        var placements: [FairAdmission.Placement] = []
        for index in 0..<100 {
            placements.append(try await admission.place(Self.envelope("a-\(index)"), tenant: "A", holder: "a-\(index)"))
        }
        #expect(placements.prefix(2).allSatisfy { $0 == .admitted })
        #expect(placements.dropFirst(2).allSatisfy { $0 == .waiting })
        #expect(
            try await redis.streamEnvelopes("default").map(\.arguments) == [#"{"label":"a-0"}"#, #"{"label":"a-1"}"#])

        try await admission.submit(Self.envelope("b-0"), tenant: "B", holder: "b-0")
        #expect(try await redis.streamEnvelopes("default").last?.arguments == #"{"label":"b-0"}"#)

        try await admission.release(tenant: "A", holder: "a-1")
        try await admission.release(tenant: "A", holder: "a-0")
        try await admission.release(tenant: "A", holder: "a-2")
        let labels = try await redis.streamEnvelopes("default").map(\.arguments)
        #expect(
            labels == ["a-0", "a-1", "b-0", "a-2", "a-3", "a-4"].map { #"{"label":"\#($0)"}"# }, "\(labels)")

        let backlog = try await admission.snapshot()
        #expect(backlog.map(\.tenant) == ["A", "B"])
        #expect(backlog.first?.active == 2)
        #expect(backlog.first?.waiting == 95)
        #expect(backlog.first?.oldestWaitingAt != nil)
        #expect(backlog.last == TenantBacklog(tenant: "B", active: 1, waiting: 0, oldestWaitingAt: nil))
        await redis.cleanUp()
    }

    @Test("the same de-duplication key submitted twice adds one task")
    func dedupKeyAddsOnce() async throws {
        let redis = try ThrottlingRedis(name: "fair-dedup")
        let admission = FairAdmission(redis: redis.redis, keys: redis.keys, queue: "default", perTenantLimit: 5)
        let options = EnqueueOptions(dedupKey: "call-1:fetch")

        let first = try await admission.place(Self.envelope("first", options: options), tenant: "A", holder: "w-1")
        let second = try await admission.place(Self.envelope("second", options: options), tenant: "A", holder: "w-1")
        try await admission.advance(Self.envelope("third", options: options), tenant: "A", holder: "w-1")

        #expect(first == .admitted)
        #expect(second == .duplicate)
        #expect(try await redis.streamEnvelopes("default").map(\.arguments) == [#"{"label":"first"}"#])
        await redis.cleanUp()
    }

    @Test("an envelope due later goes to the delayed set, stored as the queue stores delayed tasks, not to the stream")
    func delayedEnvelopeGoesToTheDelayedSet() async throws {
        let redis = try ThrottlingRedis(name: "fair-delay")
        let admission = FairAdmission(redis: redis.redis, keys: redis.keys, queue: "default", perTenantLimit: 1)
        let envelope = try Self.envelope("later", options: EnqueueOptions(delay: 60))

        #expect(try await admission.place(envelope, tenant: "A", holder: "w-1") == .admitted)
        try await admission.advance(
            Self.envelope("next", options: EnqueueOptions(delay: 120)), tenant: "A", holder: "w-1")

        #expect(try await redis.redis.send(["XLEN", redis.keys.stream("default")]).int == 0)
        let delayed = try await redis.redis.send(["ZRANGE", redis.keys.delayed("default"), "0", "-1", "WITHSCORES"])
        let items = delayed.array ?? []
        #expect(items.count == 4)
        // Stored as RedisTaskQueue stores a delayed task: the encoded envelope, scored by due ms.
        #expect(items.first?.string.flatMap { try? TaskEnvelope.decode($0) } == envelope)
        #expect(items.count > 1 && items[1].int == Int((envelope.dueAt * 1000).rounded()))
        await redis.cleanUp()
    }

    @Test("a task due now goes to the stream even from a producer whose clock runs ahead of Redis'")
    func dueNowIsNeverDelayedByClockSkew() async throws {
        let redis = try ThrottlingRedis(name: "fair-skew")
        let admission = FairAdmission(redis: redis.redis, keys: redis.keys, queue: "default", perTenantLimit: 2)
        // Enqueued and due at the producer's "now", two seconds past Redis' (an API machine whose
        // clock runs ahead; or the millisecond rounding of any envelope made just now).
        var envelope = try Self.envelope("skewed")
        envelope.enqueuedAt += 2
        envelope.dueAt = envelope.enqueuedAt
        try await admission.submit(envelope, tenant: "A", holder: "w-1")
        #expect(try await redis.streamEnvelopes("default").map(\.id) == [envelope.id])
        #expect(try await redis.redis.send(["ZCARD", redis.keys.delayed("default")]).int == 0)
        await redis.cleanUp()
    }

    @Test("once an unreleased workflow's lease expires, rebalancing admits the next waiting one")
    func rebalanceAdmitsAfterLeaseExpiry() async throws {
        let redis = try ThrottlingRedis(name: "fair-rebalance")
        let admission = FairAdmission(
            redis: redis.redis, keys: redis.keys, queue: "default", perTenantLimit: 1, leaseTTL: .seconds(3))
        #expect(try await admission.place(Self.envelope("first"), tenant: "A", holder: "w-1") == .admitted)
        #expect(try await admission.place(Self.envelope("second"), tenant: "A", holder: "w-2") == .waiting)
        #expect(try await admission.rebalance() == 0)

        // w-1's worker died: nothing releases it. The service rebalances until the lease is gone.
        let service = FairAdmissionService(
            admission: admission, interval: .milliseconds(200), logger: .init(label: "test"))
        let running = Task { try await service.run() }
        let admitted = await eventually(timeout: .seconds(20), every: .milliseconds(100)) {
            (try? await redis.streamEnvelopes("default").count) == 2
        }
        running.cancel()
        _ = await running.result

        #expect(admitted, "the waiting workflow was never admitted")
        #expect(try await redis.streamEnvelopes("default").last?.arguments == #"{"label":"second"}"#)
        #expect(
            try await admission.snapshot() == [TenantBacklog(tenant: "A", active: 1, waiting: 0, oldestWaitingAt: nil)])
        await redis.cleanUp()
    }

    @Test("a restart of an admitted workflow goes straight in; one of a waiting workflow keeps its place")
    func restartsKeepTheirPlace() async throws {
        let redis = try ThrottlingRedis(name: "fair-restart")
        let admission = FairAdmission(redis: redis.redis, keys: redis.keys, queue: "default", perTenantLimit: 1)
        try await admission.submit(Self.envelope("w-1"), tenant: "A", holder: "w-1")
        try await admission.submit(Self.envelope("w-2"), tenant: "A", holder: "w-2")
        try await admission.submit(Self.envelope("w-3"), tenant: "A", holder: "w-3")

        #expect(try await admission.place(Self.envelope("w-1 again"), tenant: "A", holder: "w-1") == .admitted)
        #expect(try await admission.place(Self.envelope("w-2 again"), tenant: "A", holder: "w-2") == .waiting)
        try await admission.release(tenant: "A", holder: "w-1")

        let labels = try await redis.streamEnvelopes("default").map(\.arguments)
        #expect(labels == ["w-1", "w-1 again", "w-2 again"].map { #"{"label":"\#($0)"}"# }, "\(labels)")
        #expect(try await admission.snapshot().first?.waiting == 1)
        await redis.cleanUp()
    }
}
