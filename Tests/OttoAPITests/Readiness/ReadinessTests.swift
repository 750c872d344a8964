import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OttoCore
import OttoTestSupport
import Testing

@testable import OttoAPI

@Suite("Readiness")
struct ReadinessTests {
    func decode(_ buffer: ByteBuffer) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))
        return try #require(object as? [String: Any])
    }

    @Test("/health answers 200 with the contract's shape and touches no dependency")
    func health() async throws {
        // A database URL that points nowhere: /health must not care.
        try await TestApp.run(environment: ["DATABASE_URL": "postgres://otto:x@127.0.0.1:1/none"]) { client, _, _ in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                let body = try decode(response.body)
                #expect(body["status"] as? String == "healthy")
                #expect(body["service"] as? String == "otto-api")
                #expect((body["timestamp"] as? Int ?? 0) > 1_700_000_000)
                #expect(response.headers[.init("X-Request-ID")!] != nil)
            }
        }
    }

    @Test("/ready is 200 with every configured component when all answer")
    func readyAllHealthy() async throws {
        let environment = ["DATABASE_URL": try TestServices.databaseURL(), "REDIS_URL": try TestServices.redisURL()]
        try await TestApp.run(environment: environment) { client, _, _ in
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .ok)
                let body = try decode(response.body)
                #expect(body["ready"] as? Bool == true)
                let components = try #require(body["components"] as? [String: Bool])
                #expect(components == ["database": true, "redis": true])
                #expect(body["duration_ms"] is Double || body["duration_ms"] is Int)
                #expect(body["service"] as? String == "otto-api")
            }
        }
    }

    @Test("/ready lists only the database when Redis is not configured")
    func readyDatabaseOnly() async throws {
        try await TestApp.run(environment: ["DATABASE_URL": try TestServices.databaseURL()]) { client, _, _ in
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .ok)
                let components = try #require(try decode(response.body)["components"] as? [String: Bool])
                #expect(components == ["database": true])
            }
        }
    }

    @Test("/ready is 503 when the database is down, and names no host or error text")
    func readyDatabaseDown() async throws {
        let environment = [
            "DATABASE_URL": "postgres://otto:hunter2pw@127.0.0.1:1/otto", "REDIS_URL": try TestServices.redisURL(),
        ]
        try await TestApp.run(environment: environment) { client, _, _ in
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let text = String(buffer: response.body)
                let components = try #require(try decode(response.body)["components"] as? [String: Bool])
                #expect(components == ["database": false, "redis": true])
                #expect(!text.contains("127.0.0.1") && !text.contains("hunter2pw") && !text.contains("otto:"))
            }
        }
    }

    @Test("/ready is 503 when Redis is down")
    func readyRedisDown() async throws {
        let environment = ["DATABASE_URL": try TestServices.databaseURL(), "REDIS_URL": "redis://127.0.0.1:1/0"]
        try await TestApp.run(environment: environment) { client, _, _ in
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let components = try #require(try decode(response.body)["components"] as? [String: Bool])
                #expect(components == ["database": true, "redis": false])
            }
        }
    }

    @Test("/ready answers 503 within about a second when Redis accepts and never replies")
    func readyRedisHangs() async throws {
        let listener = try await SilentListener.start()
        let environment = [
            "DATABASE_URL": try TestServices.databaseURL(), "REDIS_URL": "redis://127.0.0.1:\(listener.port)/0",
        ]
        try await TestApp.run(environment: environment) { client, _, _ in
            let start = ContinuousClock.now
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let components = try #require(try decode(response.body)["components"] as? [String: Bool])
                #expect(components["redis"] == false)
                #expect(components["database"] == true)
            }
            // Generous bound for a loaded 2-core machine; the check itself times out at 800 ms.
            #expect(ContinuousClock.now - start < .seconds(3))
        }
        await listener.stop()
    }

    @Test("/ready answers 503 within about a second when PostgreSQL accepts and never replies")
    func readyDatabaseHangs() async throws {
        let listener = try await SilentListener.start()
        let environment = ["DATABASE_URL": "postgres://otto:x@127.0.0.1:\(listener.port)/otto?connect_timeout=10"]
        try await TestApp.run(environment: environment) { client, _, _ in
            let start = ContinuousClock.now
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
            }
            #expect(ContinuousClock.now - start < .seconds(3))
        }
        await listener.stop()
    }

    @Test("celery_workers is listed with ENABLE_CELERY=true and turns true with a live heartbeat")
    func readyWorkers() async throws {
        let prefix = TestServices.uniquePrefix("ready")
        let environment = [
            "DATABASE_URL": try TestServices.databaseURL(), "REDIS_URL": try TestServices.redisURL(),
            "ENABLE_CELERY": "true", "REDIS_KEY_PREFIX": prefix,
        ]
        try await TestApp.run(environment: environment) { client, _, dependencies in
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let components = try #require(try decode(response.body)["components"] as? [String: Bool])
                #expect(components == ["database": true, "redis": true, "celery_workers": false])
            }
            let redis = try #require(dependencies.redis)
            let publisher = HeartbeatPublisher(redis: redis, keys: dependencies.keys, logger: .init(label: "test")) {
                WorkerHeartbeat(
                    id: "w-test", host: "h", pid: 1, queues: ["default"], concurrency: 4, startedAt: UnixTime.now(),
                    beatAt: UnixTime.now())
            }
            try await publisher.publish()
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .ok)
                let components = try #require(try decode(response.body)["components"] as? [String: Bool])
                #expect(components["celery_workers"] == true)
            }
            try await client.execute(uri: "/internal/worker/heartbeat", method: .get) { response in
                #expect(response.status == .ok)
                let body = try decode(response.body)
                let workers = try #require(body["workers"] as? [[String: Any]])
                #expect(workers.count == 1)
                #expect(workers.first?["id"] as? String == "w-test")
                #expect(workers.first?["concurrency"] as? Int == 4)
                #expect(workers.first?["age_s"] != nil)
                let queues = try #require(body["queues"] as? [String: Any])
                #expect(queues["default"] != nil)
                let canary = try #require(body["canary"] as? [String: Any])
                #expect(canary.keys.contains("last_completed_age_s"))
            }
            _ = try await redis.send(["DEL", dependencies.keys.workers, dependencies.keys.worker("w-test")])
        }
    }

    @Test("concurrent /ready requests share one check in flight")
    func singleFlight() async throws {
        let counter = Counter()
        let probe = ReadinessProbe(checks: [
            DependencyCheck(name: "slow") {
                counter.increment()
                try await Task.sleep(for: .milliseconds(200))
            }
        ])
        let reports = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<50 { group.addTask { await probe.report().ready } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(reports.count == 50 && reports.allSatisfy { $0 })
        #expect(counter.value < 5)
    }

    @Test("Accept: application/health+json gives the IETF health-check format")
    func healthJSONFormat() async throws {
        try await TestApp.run(environment: ["DATABASE_URL": try TestServices.databaseURL()]) { client, _, _ in
            try await client.execute(
                uri: "/ready", method: .get, headers: [.accept: "application/health+json"]
            ) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/health+json")
                let body = try decode(response.body)
                #expect(body["status"] as? String == "pass")
                let checks = try #require(body["checks"] as? [String: [[String: Any]]])
                #expect(checks["database:responseTime"]?.first?["status"] as? String == "pass")
                #expect(checks["database:responseTime"]?.first?["observedUnit"] as? String == "ms")
            }
        }
    }
}

/// A thread-safe counter for probes.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
