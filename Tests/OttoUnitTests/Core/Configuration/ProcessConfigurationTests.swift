import Configuration
import Testing

@testable import OttoCalls
@testable import OttoCore
@testable import OttoProcessKit
@testable import OttoTasks

/// The per-process compositions: each reads only its own keys, and `check-config`'s notes and
/// exit statuses come from one place.
@Suite("Configuration per process")
struct ProcessConfigurationTests {
    static let api = ["DATABASE_URL": "postgres://localhost/otto"]
    static let worker = [
        "ENABLE_CELERY": "true", "DATABASE_URL": "postgres://localhost/otto", "REDIS_URL": "redis://localhost",
    ]
    /// Values only otto-api reads, each of them invalid.
    static let invalidForAPIOnly = [
        "PORT": "x", "ALLOWED_ORIGINS": "ftp://x", "RATE_LIMIT_API": "many", "CLERK_JWT_KEY": "x",
        "PUBLIC_BASE_URL": "x", "INTERNAL_API_TOKEN": "short", "TENANT_SECRETS_KEY": "x", "HTTP_IDLE_TIMEOUT": "0",
    ]

    @Test("the worker and the beat do not read the API's keys")
    func workerAndBeatIgnoreAPIKeys() throws {
        _ = try WorkerProcessConfiguration.load(environment: Self.worker.merging(Self.invalidForAPIOnly) { $1 })
        _ = try BeatProcessConfiguration.load(
            environment: ["ENABLE_CELERY_BEAT": "true", "REDIS_URL": "redis://localhost"].merging(
                Self.invalidForAPIOnly
            ) { $1 })
        // The same values do fail otto-api (each is read there).
        do {
            _ = try APIProcessConfiguration.load(environment: Self.api.merging(Self.invalidForAPIOnly) { $1 })
            Issue.record("otto-api accepted invalid values")
        } catch {
            #expect(Set(error.variables) == Set(Self.invalidForAPIOnly.keys))
        }
    }

    @Test("otto-api and the beat do not read the worker's keys")
    func apiAndBeatIgnoreWorkerKeys() throws {
        let workerOnly = [
            "WORKER_CONCURRENCY": "0", "WORKER_QUEUES": "A", "WORKER_VISIBILITY_TIMEOUT": "0",
            "BEAT_LEASE_TTL": "1",
        ]
        _ = try APIProcessConfiguration.load(environment: Self.api.merging(workerOnly) { $1 })
        _ = try BeatProcessConfiguration.load(environment: workerOnly.filter { $0.key != "BEAT_LEASE_TTL" })
        do {
            _ = try WorkerProcessConfiguration.load(environment: Self.worker.merging(workerOnly) { $1 })
            Issue.record("the worker accepted invalid values")
        } catch {
            #expect(error.variables == ["WORKER_CONCURRENCY", "WORKER_QUEUES", "WORKER_VISIBILITY_TIMEOUT"])
        }
    }

    @Test("otto-api reads the in-process keys only with ENABLE_CELERY=false")
    func inProcessOnlyInRollback() throws {
        let sweep = ["WEBHOOK_SWEEP_DEADLINE": "1", "REDIS_URL": "redis://localhost"]
        let celery = try APIProcessConfiguration.load(
            environment: Self.api.merging(sweep) { $1 }.merging(["ENABLE_CELERY": "true"]) { $1 })
        #expect(celery.inProcessTasks == nil)
        #expect(throws: ConfigurationError.self) {
            try APIProcessConfiguration.load(environment: Self.api.merging(sweep) { $1 })
        }
        let rollback = try APIProcessConfiguration.load(
            environment: Self.api.merging(["DATABASE_RETRY_SPAN": "60"]) { $1 })
        #expect(rollback.inProcessTasks == InProcessTasksConfiguration(databaseRetrySpan: 60))
    }

    @Test("a worker or beat whose flag is off reads its concerns not at all, and says it will idle")
    func flagsOff() throws {
        let worker = try WorkerProcessConfiguration.load(environment: ["APP_ENV": "production", "WORKER_QUEUES": "A"])
        #expect(worker.database == nil && worker.providers == nil && worker.worker == nil)
        #expect(worker.redis.endpoint == nil)
        #expect(worker.idleNote?.hasPrefix("ENABLE_CELERY is not true: this worker will idle") == true)
        let beat = try BeatProcessConfiguration.load(environment: ["BEAT_LEASE_TTL": "1", "REDIS_URL": "redis://h"])
        #expect(beat.beat == nil && beat.redis.endpoint == nil)
        #expect(beat.idleNote?.hasPrefix("ENABLE_CELERY_BEAT is not true: this beat will idle") == true)
        #expect(try WorkerProcessConfiguration.load(environment: Self.worker).idleNote == nil)
        // A malformed key prefix is refused whatever the flag says (it is shared by every process).
        #expect(throws: ConfigurationError.self) {
            try BeatProcessConfiguration.load(environment: ["REDIS_KEY_PREFIX": "a b"])
        }
    }

    @Test("the error names the process and APP_ENV as given")
    func errorHeader() {
        do {
            _ = try WorkerProcessConfiguration.load(environment: ["APP_ENV": "Prod", "ENABLE_CELERY": "true"])
            Issue.record("accepted")
        } catch {
            #expect(error.process == .worker)
            #expect(error.environment == "prod")
            // An unknown APP_ENV is validated as production.
            #expect(error.variables.contains("DEEPGRAM_API_KEY"))
            #expect(error.description.hasPrefix("otto-worker: invalid configuration for APP_ENV=prod ("))
        }
    }

    @Test("the exit statuses are sysexits.h's")
    func exitStatuses() {
        #expect(ExitStatus.configuration == 78)
        #expect(ExitStatus.unavailable == 69)
    }
}
