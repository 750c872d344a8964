import Logging
import OttoPostgres
import OttoRedis
import OttoTestSupport
import ServiceLifecycle
import Synchronization
import Testing

@testable import OttoCalls
@testable import OttoCore
@testable import OttoProcessKit
@testable import OttoTasks

/// The PostgreSQL pool and the Redis client are services at the front of their process's
/// ServiceGroup: they stop after the services that use them, and they stop even when the group
/// ends because a service failed (before, the mains closed them after `group.run()`, which a
/// throwing group skipped).
@Suite("Clients as services")
struct DependencyServicesTests {
    struct Failure: Error {}

    /// Fails once the group has started it.
    struct FailingService: Service {
        func run() async throws { throw Failure() }
    }

    /// Uses both clients after graceful shutdown began, as a draining worker does.
    struct DrainingUser: Service {
        let dependencies: Dependencies
        let used: Gate

        func run() async throws {
            try? await gracefulShutdown()
            _ = try await dependencies.postgres!.query("SELECT 1")
            _ = try await dependencies.redis!.ping()
            used.open()
        }
    }

    /// Set once the draining service has used both clients.
    final class Gate: Sendable {
        private let opened = Mutex(false)
        func open() { opened.withLock { $0 = true } }
        var isOpen: Bool { opened.withLock { $0 } }
    }

    static func dependencies() throws -> Dependencies {
        let logger = Logger(label: "test")
        return Dependencies(
            postgres: PostgresPool(
                configuration: PostgresConfiguration(url: try TestServices.databaseURL(), poolSize: 2), logger: logger),
            redis: RedisClient(endpoint: try RedisEndpoint(url: try TestServices.redisURL()), logger: logger),
            keys: RedisKeys(prefix: TestServices.uniquePrefix("clients")))
    }

    @Test("a failing service ends the group, and the pool and the client are closed with it")
    func closedWhenTheGroupFails() async throws {
        let dependencies = try Self.dependencies()
        _ = try await dependencies.postgres!.query("SELECT 1")
        _ = try await dependencies.redis!.ping()
        let group = ServiceGroup(
            configuration: .init(
                services: (dependencies.services + [FailingService()]).map { .init(service: $0) },
                logger: Logger(label: "test")))
        await #expect(throws: Failure.self) { try await group.run() }
        await #expect {
            _ = try await dependencies.postgres!.query("SELECT 1")
        } throws: { ($0 as? PostgresError)?.code == .poolClosed }
        await #expect {
            _ = try await dependencies.redis!.ping()
        } throws: { ($0 as? RedisError)?.code == .connectionClosed }
    }

    @Test("on graceful shutdown the clients stop last: a draining service still uses both")
    func clientsStopLast() async throws {
        let dependencies = try Self.dependencies()
        let used = Gate()
        let group = ServiceGroup(
            configuration: .init(
                services: (dependencies.services + [DrainingUser(dependencies: dependencies, used: used)]).map {
                    .init(service: $0)
                }, logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // Both clients answer before the shutdown starts, so the group is running.
            _ = try await dependencies.postgres!.query("SELECT 1")
            await group.triggerGracefulShutdown()
            // A client closed before the draining service used it fails the group here.
            try await tasks.waitForAll()
        }
        #expect(used.isOpen)
        await #expect {
            _ = try await dependencies.postgres!.query("SELECT 1")
        } throws: { ($0 as? PostgresError)?.code == .poolClosed }
    }
}
