import Foundation
import Logging
import OttoRedis
import OttoSupport
import OttoTasks
import OttoTestSupport
import Testing

/// Fair admission with the real worker: a tenant's backlog does not delay another's single call.
@Suite("Fair admission with a worker")
struct FairAdmissionWorkerTests {
    @Test("tenant A's 300 tasks then tenant B's one: B's completes before A's 50th")
    func singleCallOvertakesABacklog() async throws {
        let redis = try ThrottlingRedis(name: "fair-worker")
        let admission = FairAdmission(redis: redis.redis, keys: redis.keys, queue: "default", perTenantLimit: 2)
        let task = FairStepTask(redis: redis.redis, keys: redis.keys, admission: admission)
        var registry = TaskRegistry()
        registry.register(task)

        func envelope(_ tenant: String, _ holder: String) throws -> TaskEnvelope {
            let arguments = #"{"tenant":"\#(tenant)","holder":"\#(holder)","delay_ms":20}"#
            return try TaskEnvelope.first(
                name: FairStepTask.name, arguments: arguments, options: .init(tenantID: tenant), registry: registry)
        }
        for index in 0..<300 {
            try await admission.submit(envelope("A", "a-\(index)"), tenant: "A", holder: "a-\(index)")
        }
        let submittedB = UnixTime.now()
        try await admission.submit(envelope("B", "b-0"), tenant: "B", holder: "b-0")

        var settings = WorkerSettings(
            id: "fair-worker", queues: ["default"], concurrency: 4, visibilityTimeout: .seconds(30),
            shutdownGrace: .seconds(5))
        settings.blockTime = .milliseconds(500)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let worker = TaskWorker(
            settings: settings, redis: redis.redis, keys: redis.keys, registry: registry, stats: WorkerStats(),
            logger: logger)
        let running = Task { try await worker.run() }
        let allEnded = await eventually(timeout: .seconds(180), every: .milliseconds(200)) {
            (try? await redis.redis.send(["LLEN", task.orderKey]).int) == 301
        }
        running.cancel()
        _ = await running.result

        #expect(allEnded, "not every task ended")
        let order = (try await redis.redis.send(["LRANGE", task.orderKey, "0", "-1"]).array ?? []).compactMap(\.string)
        #expect(Set(order).count == 301, "a task ran twice or not at all")
        let position = try #require(order.firstIndex(of: "b-0"))
        let aBefore = order[..<position].filter { $0.hasPrefix("a-") }
        #expect(aBefore.count < 49, "B's task ended after \(aBefore.count) of A's")
        // A's tasks ran in the order they were submitted.
        let aOrder = order.filter { $0.hasPrefix("a-") }.compactMap { Int($0.dropFirst(2)) }
        #expect(aOrder.enumerated().allSatisfy { abs($0.offset - $0.element) <= 2 }, "\(aOrder.prefix(20))")
        #expect(try await admission.snapshot().isEmpty)

        let ended = try await redis.redis.send(["HGET", task.endedKey, "b-0"]).string.flatMap(Double.init)
        let waited = (ended ?? submittedB) - submittedB
        print(
            "fair admission: B's single task ended \(Int(waited * 1000)) ms after its submission, "
                + "after \(aBefore.count) of A's 300 (limit 2 per tenant, worker concurrency 4)")
        await redis.cleanUp()
    }
}
