import Logging
import OttoPostgres
import OttoRedis
import Testing

@testable import OttoCalls
@testable import OttoCore
@testable import OttoProcessKit
@testable import OttoTasks

/// The registry binds each task to its clients when it is built; what a process cannot run is
/// known then, with the reason.
@Suite("Task registry")
struct TaskRegistryTests {
    static let keys = RedisKeys(prefix: "otto-test-registry:")

    @Test("with PostgreSQL and Redis every standard task can run")
    func everythingRuns() throws {
        // Neither client connects until used.
        let postgres = PostgresPool(
            configuration: PostgresConfiguration(url: "postgres://otto@127.0.0.1:1/unused", poolSize: 1),
            logger: Logger(label: "test"))
        let redis = RedisClient(
            endpoint: try RedisEndpoint(url: "redis://127.0.0.1:1/0"), logger: Logger(label: "test"))
        let registry = TaskRegistry.standard(TaskDependencies(postgres: postgres, redis: redis, keys: Self.keys))
        #expect(registry.unavailable.isEmpty)
        #expect(
            registry.names == [
                "otto.chain.first", "otto.chain.second", "otto.chain.third", "otto.cleanup", "otto.ping",
                "otto.webhooks.sweep", "process_webhook_event",
            ])
        for name in registry.names { #expect(registry.entry(named: name)?.run != nil, "\(name)") }
    }

    @Test("without PostgreSQL the database tasks are unavailable and say why; the others still run")
    func withoutDatabase() {
        let registry = TaskRegistry.standard(TaskDependencies(postgres: nil, redis: nil, keys: Self.keys))
        #expect(
            registry.unavailable == [
                "process_webhook_event": "needs DATABASE_URL", "otto.webhooks.sweep": "needs DATABASE_URL",
            ])
        #expect(registry.entry(named: "process_webhook_event")?.run == nil)
        #expect(registry.entry(named: "otto.ping")?.run != nil)
        #expect(registry.entry(named: "otto.cleanup")?.run != nil)
    }

    @Test("in otto-api without Redis the sweep is the API's own service, not a task")
    func withoutRedis() {
        let postgres = PostgresPool(
            configuration: PostgresConfiguration(url: "postgres://otto@127.0.0.1:1/unused", poolSize: 1),
            logger: Logger(label: "test"))
        let registry = TaskRegistry.standard(TaskDependencies(postgres: postgres, redis: nil, keys: Self.keys))
        #expect(Array(registry.unavailable.keys) == ["otto.webhooks.sweep"])
        #expect(registry.entry(named: "process_webhook_event")?.run != nil)
    }

    @Test("the catalog knows every standard task's defaults and runs none")
    func catalog() {
        let catalog = TaskRegistry.catalog
        #expect(
            catalog.names == [
                "otto.chain.first", "otto.chain.second", "otto.chain.third", "otto.cleanup", "otto.ping",
                "otto.webhooks.sweep", "process_webhook_event",
            ])
        #expect(catalog.entry(named: "otto.cleanup")?.defaultQueue == "low")
        #expect(catalog.entry(named: "process_webhook_event")?.retryPolicy.spansOutages == true)
        #expect(catalog.names.allSatisfy { catalog.entry(named: $0)?.run == nil })
    }

    @Test("otto-beat's registry of the scheduled tasks has the implementations' names and defaults, field by field")
    func scheduledMatchesTheImplementations() throws {
        let scheduled = TaskRegistry.scheduled
        let schedules = ScheduleCatalog.standard(configuration: BeatConfiguration())
        #expect(scheduled.names == ["otto.cleanup", "otto.ping", "otto.webhooks.sweep"])
        #expect(Set(schedules.map(\.task)).isSubset(of: Set(scheduled.names)), "every schedule's task is declared")
        for name in scheduled.names {
            let declared = try #require(scheduled.entry(named: name))
            let implemented = try #require(TaskRegistry.catalog.entry(named: name))
            #expect(declared.defaultQueue == implemented.defaultQueue, "\(name)")
            #expect(declared.maxAttempts == implemented.maxAttempts, "\(name)")
            #expect(declared.timeLimit == implemented.timeLimit, "\(name)")
            #expect(declared.retryBaseDelay == implemented.retryBaseDelay, "\(name)")
            #expect(declared.retryPolicy.spansOutages == implemented.retryPolicy.spansOutages, "\(name)")
            #expect(declared.run == nil, "\(name) runs in the worker, never in the beat")
        }
        #expect(scheduled.entry(named: "otto.cleanup")?.defaultQueue == "low")
        #expect(scheduled.entry(named: "otto.webhooks.sweep")?.maxAttempts == 1)
        #expect(WebhookSweepService.interval(deadline: .seconds(300)) == .seconds(60))
        #expect(WebhookSweepService.interval(deadline: .seconds(10)) == .seconds(2))
    }
}

/// The worker's assembly refuses, at start, a registry with tasks it cannot run (the configuration
/// rules already require DATABASE_URL with ENABLE_CELERY=true; this holds for any registry).
@Suite("Worker builder")
struct WorkerBuilderDependencyTests {
    @Test("a worker whose tasks lack PostgreSQL is a configuration error naming DATABASE_URL and the tasks")
    func missingDatabase() throws {
        let configuration = WorkerProcessConfiguration(
            enableCelery: true, redis: RedisConfiguration(endpoint: try RedisEndpoint(url: "redis://127.0.0.1:1/0")),
            database: nil, worker: WorkerConfiguration())
        #expect {
            _ = try WorkerBuilder.build(configuration: configuration, logger: Logger(label: "test"))
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.variables == ["DATABASE_URL"]
                && error.description.contains("otto.webhooks.sweep needs DATABASE_URL")
                && error.description.contains("process_webhook_event needs DATABASE_URL")
        }
    }
}
