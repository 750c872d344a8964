import Configuration
import Testing

@testable import OttoCore
@testable import OttoProcessKit
@testable import OttoTasks

/// The task concerns, each read alone: the worker's knobs, the API's in-process tasks, the beat.
@Suite("Configuration: worker, in-process tasks, beat")
struct TaskConfigurationTests {
    @Test("the worker's defaults and values")
    func worker() throws {
        let defaults = try WorkerConfiguration(config: ConfigurationRules.reader([:]))
        #expect(defaults == WorkerConfiguration())
        #expect(defaults.concurrency == 2 * ConfigurationSource.coreCount)
        #expect(defaults.queues == ["critical", "default", "low"])
        #expect(defaults.visibilityTimeout == 30)
        #expect(defaults.shutdownGrace == 20)
        #expect(defaults.databaseRetrySpan == 900)
        let set = try WorkerConfiguration(
            config: ConfigurationRules.reader([
                "WORKER_CONCURRENCY": "1024", "WORKER_QUEUES": " low , critical ", "WORKER_VISIBILITY_TIMEOUT": "2",
                "WORKER_SHUTDOWN_GRACE": "0", "DATABASE_RETRY_SPAN": "86400",
            ]))
        #expect(set.concurrency == 1024)
        #expect(set.queues == ["low", "critical"])
        #expect(set.visibilityTimeout == 2)
        #expect(set.shutdownGrace == 0)
        #expect(set.databaseRetrySpan == 86_400)
    }

    @Test(
        "the worker refuses values outside its bounds",
        arguments: [
            ("WORKER_CONCURRENCY", "0"), ("WORKER_CONCURRENCY", "1025"), ("WORKER_VISIBILITY_TIMEOUT", "1"),
            ("WORKER_VISIBILITY_TIMEOUT", "86401"), ("WORKER_SHUTDOWN_GRACE", "-1"), ("WORKER_SHUTDOWN_GRACE", "3601"),
            ("DATABASE_RETRY_SPAN", "86401"), ("WORKER_QUEUES", ","), ("WORKER_QUEUES", "Default"),
            ("WORKER_QUEUES", "a{b}"), ("WORKER_QUEUES", String(repeating: "q", count: 65)),
        ])
    func workerBounds(variable: String, value: String) {
        let refused = ConfigurationRules.refused([variable: value]) { config throws(ConfigurationProblems) in
            try WorkerConfiguration(config: config)
        }
        #expect(refused == [variable])
    }

    @Test("the in-process tasks share the worker's grace and retry span, and the beat's sweep deadline")
    func inProcess() throws {
        let defaults = try InProcessTasksConfiguration(config: ConfigurationRules.reader([:]))
        #expect(
            defaults
                == InProcessTasksConfiguration(shutdownGrace: 20, databaseRetrySpan: 900, webhookSweepDeadline: 300))
        let set = try InProcessTasksConfiguration(
            config: ConfigurationRules.reader([
                "WORKER_SHUTDOWN_GRACE": "5", "DATABASE_RETRY_SPAN": "0", "WEBHOOK_SWEEP_DEADLINE": "5",
            ]))
        #expect(set == InProcessTasksConfiguration(shutdownGrace: 5, databaseRetrySpan: 0, webhookSweepDeadline: 5))
        for (variable, value) in [
            ("WEBHOOK_SWEEP_DEADLINE", "4"), ("WEBHOOK_SWEEP_DEADLINE", "301"), ("WORKER_SHUTDOWN_GRACE", "3601"),
            ("DATABASE_RETRY_SPAN", "-1"),
        ] {
            let refused = ConfigurationRules.refused([variable: value]) { config throws(ConfigurationProblems) in
                try InProcessTasksConfiguration(config: config)
            }
            #expect(refused == [variable], "\(variable)=\(value)")
        }
    }

    @Test("the beat's defaults and values")
    func beat() throws {
        let defaults = try BeatConfiguration(config: ConfigurationRules.reader([:]))
        #expect(
            defaults
                == BeatConfiguration(
                    leaseTTL: 5, catchupWindow: 600, canaryInterval: 60, webhookRetentionDays: 30,
                    webhookSweepDeadline: 300))
        let set = try BeatConfiguration(
            config: ConfigurationRules.reader([
                "BEAT_LEASE_TTL": "300", "BEAT_CATCHUP_WINDOW": "0", "BEAT_CANARY_INTERVAL": "0",
                "WEBHOOK_RETENTION_DAYS": "3650", "WEBHOOK_SWEEP_DEADLINE": "60",
            ]))
        #expect(
            set
                == BeatConfiguration(
                    leaseTTL: 300, catchupWindow: 0, canaryInterval: 0, webhookRetentionDays: 3650,
                    webhookSweepDeadline: 60))
    }

    @Test(
        "the beat refuses values outside its bounds",
        arguments: [
            ("BEAT_LEASE_TTL", "1"), ("BEAT_LEASE_TTL", "301"), ("BEAT_CATCHUP_WINDOW", "86401"),
            ("BEAT_CANARY_INTERVAL", "-1"), ("WEBHOOK_RETENTION_DAYS", "0"), ("WEBHOOK_RETENTION_DAYS", "3651"),
            ("WEBHOOK_SWEEP_DEADLINE", "4"),
        ])
    func beatBounds(variable: String, value: String) {
        let messages = ConfigurationRules.messages([variable: value]) { config throws(ConfigurationProblems) in
            try BeatConfiguration(config: config)
        }
        #expect(messages.count == 1)
        #expect(messages.first?.hasPrefix("\(variable): must be a whole number from ") == true, "\(messages)")
    }

    @Test("the beat's schedules follow its configuration")
    func schedules() {
        let standard = ScheduleCatalog.standard(configuration: BeatConfiguration())
        #expect(standard.map(\.name) == ["cleanup", "webhook-sweep", "canary"])
        let noCanary = ScheduleCatalog.standard(configuration: BeatConfiguration(canaryInterval: 0))
        #expect(noCanary.map(\.name) == ["cleanup", "webhook-sweep"])
        let retention = ScheduleCatalog.standard(configuration: BeatConfiguration(webhookRetentionDays: 7))
        #expect(retention.first?.arguments == "{\"webhook_retention_days\":7}")
    }
}
