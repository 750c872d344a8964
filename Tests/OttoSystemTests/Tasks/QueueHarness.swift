import Foundation
import Logging
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoRedis
import OttoTasks
import OttoTestSupport
import Testing

/// Real worker processes against a real Redis, with a private key prefix per test.
struct QueueHarness {
    let redisURL: String
    let prefix: String
    let redis: RedisClient
    let keys: RedisKeys

    init(redisURL: String? = nil, name: String) throws {
        self.redisURL = try redisURL ?? TestServices.redisURL()
        self.prefix = TestServices.uniquePrefix(name)
        self.keys = RedisKeys(prefix: prefix)
        self.redis = RedisClient(endpoint: try RedisEndpoint(url: self.redisURL), logger: Logger(label: "test"))
    }

    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        [
            "APP_ENV": "test", "ENABLE_CELERY": "true", "ENABLE_CELERY_BEAT": "true", "REDIS_URL": redisURL,
            "REDIS_KEY_PREFIX": prefix, "DATABASE_URL": "postgres://otto:otto@127.0.0.1:1/unused", "LOG_LEVEL": "info",
        ].merging(extra) { _, new in new }
    }

    func startWorker(_ extra: [String: String] = [:]) async throws -> ChildProcess {
        let worker = ChildProcess(binary: "otto-worker", environment: environment(extra))
        try worker.start()
        let ready = await worker.waitForOutput("otto-worker ready", timeout: .seconds(15))
        #expect(ready, "worker did not start: \(worker.output)")
        return worker
    }

    /// Enqueues through the operator command and returns the ids it printed.
    func enqueue(_ name: String, args: String = "{}", count: Int = 1, extra: [String] = []) async throws -> [String] {
        let (status, output) = try await ChildProcess.run(
            "otto-worker", ["enqueue", name, "--args", args, "--count", String(count), "--json"] + extra,
            environment: environment())
        #expect(status == 0, "enqueue failed: \(output)")
        let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        return object?["ids"] as? [String] ?? []
    }

    /// How many times each task id ran, from `otto.ping`'s tally hash.
    func tally(_ name: String) async throws -> [String: Int] {
        let reply = try await redis.send(["HGETALL", prefix + name])
        var result: [String: Int] = [:]
        let items = reply.array ?? []
        var index = 0
        while index + 1 < items.count {
            if let key = items[index].string { result[key] = items[index + 1].int ?? 0 }
            index += 2
        }
        return result
    }

    func cleanUp() async {
        if let keys = try? await redis.send(["KEYS", prefix + "*"]).array?.compactMap(\.string), !keys.isEmpty {
            _ = try? await redis.send(["DEL"] + keys)
        }
        await redis.close()
    }
}
