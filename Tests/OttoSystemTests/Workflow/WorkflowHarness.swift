import Foundation
import Logging
import OttoRedis
import OttoSupport
import OttoTasks
import OttoTestSupport
import Testing

/// A test's workflows against the real Redis: a private key prefix, the Redis journal, an
/// admission that records releases in Redis, and real ``TaskWorker``s running in this process
/// with the test's registry (the step code and the worker code are the product's; only which
/// workflows are registered is the test's).
struct WorkflowHarness {
    let redis: RedisClient
    let keys: RedisKeys
    let journal: RedisWorkflowJournal
    let runtime: WorkflowRuntime

    init(name: String) throws {
        keys = RedisKeys(prefix: TestServices.uniquePrefix(name))
        redis = RedisClient(
            endpoint: try RedisEndpoint(url: try TestServices.redisURL()), logger: Logger(label: "test"))
        journal = RedisWorkflowJournal(redis: redis, keys: keys)
        runtime = WorkflowRuntime(
            redis: redis, keys: keys, journal: journal, admission: RecordingAdmission(redis: redis, keys: keys))
    }

    /// The drill workflow, counting runs in this harness's Redis.
    var chain: Workflow<ChainWorkflow.Payload, ChainWorkflow.Payload> {
        ChainWorkflow.workflow(redis: redis, keys: keys)
    }

    /// A registry holding the chain (and `extra`), and an engine over it.
    func engine(registry: TaskRegistry, workflows: [WorkflowDescriptor]) -> WorkflowEngine {
        WorkflowEngine(runtime: runtime, workflows: workflows, registry: registry)
    }

    /// Runs a worker of the default queue until the returned task is cancelled.
    func startWorker(registry: TaskRegistry, deferralSpan: Duration = WorkerSettings.defaultDeferralSpan) async throws
        -> Task<Void, Never>
    {
        try await RedisTaskQueue(redis: redis, keys: keys, registry: registry).ensureGroup("default")
        var settings = WorkerSettings(
            id: "wf-test-\(FastRandom.uuidString().prefix(8))", queues: ["default"], concurrency: 4,
            visibilityTimeout: .seconds(30), shutdownGrace: .seconds(1))
        settings.deferralSpan = deferralSpan
        settings.maintenanceInterval = .milliseconds(100)
        settings.blockTime = .milliseconds(200)
        var logger = Logger(label: "otto.worker.test")
        logger.logLevel = .critical
        let worker = TaskWorker(
            settings: settings, redis: redis, keys: keys, registry: registry, stats: WorkerStats(), logger: logger)
        return Task {
            do { try await worker.run() } catch {}
        }
    }

    func status(_ workflow: String, _ subject: String) async throws -> WorkflowStatus? {
        try await journal.status(workflow: workflow, subjectID: subject, tenantID: nil)
    }

    /// Waits until the workflow ends (succeeded or failed) and returns its state.
    func finished(_ workflow: String, _ subject: String, timeout: Duration = .seconds(30)) async throws
        -> WorkflowStatus?
    {
        _ = await eventually(timeout: timeout) {
            let state = try? await status(workflow, subject)?.state
            return state == .succeeded || state == .failed
        }
        return try await status(workflow, subject)
    }

    /// How many times each step ran, from the chain's tally hash.
    func tally(_ name: String) async throws -> [String: Int] {
        let items = try await redis.send(["HGETALL", keys.prefix + name]).array ?? []
        var result: [String: Int] = [:]
        var index = 0
        while index + 1 < items.count {
            if let key = items[index].string { result[key] = items[index + 1].int ?? 0 }
            index += 2
        }
        return result
    }

    /// The releases ``RecordingAdmission`` heard, oldest first (`tenant|holder`).
    func releases() async throws -> [String] {
        try await redis.send(["LRANGE", RecordingAdmission.releasedKey(keys), "0", "-1"]).array?.compactMap(\.string)
            ?? []
    }

    func cleanUp() async {
        if let found = try? await redis.send(["KEYS", keys.prefix + "*"]).array?.compactMap(\.string), !found.isEmpty {
            _ = try? await redis.send(["DEL"] + found)
        }
        await redis.close()
    }
}

/// Direct admission that also records each release in a Redis list, so a test sees that a
/// workflow's end frees its slot (``WorkflowAdmission`` is the seam the fair admission plugs into).
struct RecordingAdmission: WorkflowAdmission {
    let redis: RedisClient
    let keys: RedisKeys

    static func releasedKey(_ keys: RedisKeys) -> String { keys.prefix + "released" }

    var direct: DirectAdmission { DirectAdmission(redis: redis, keys: keys) }

    func submit(_ envelope: TaskEnvelope, tenant: String, holder: String) async throws {
        try await direct.submit(envelope, tenant: tenant, holder: holder)
    }

    func advance(_ envelope: TaskEnvelope, tenant: String, holder: String) async throws {
        try await direct.advance(envelope, tenant: tenant, holder: holder)
    }

    func release(tenant: String, holder: String) async throws {
        _ = try await redis.send(["RPUSH", Self.releasedKey(keys), "\(tenant)|\(holder)"])
    }
}
