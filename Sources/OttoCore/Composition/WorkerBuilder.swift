import Logging
import NIOConcurrencyHelpers
import OttoCalls
import OttoProcessKit
import OttoSupport
import OttoTasks
import ServiceLifecycle
import UnixSignals

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Builds the worker process: its services in dependency order, under one ServiceGroup that
/// listens for SIGTERM and SIGINT.
public enum WorkerBuilder {
    /// The worker's service group. With `ENABLE_CELERY=false` it idles and says why.
    ///
    /// The tasks are registered with the worker's clients (or `registry` is used as given); a
    /// task that lacks one is a configuration error at start, naming the variable, rather than a
    /// failure at its first run.
    public static func build(
        configuration: WorkerProcessConfiguration, logger: Logger, registry: TaskRegistry? = nil
    ) throws(ConfigurationError) -> (ServiceGroup, Dependencies) {
        let dependencies = Dependencies(configuration: configuration, logger: logger)
        // The clients first, so they stop after everything that uses them.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = dependencies.services.map {
            .init(service: $0)
        }
        if configuration.enableCelery, let redis = dependencies.redis {
            let settings = configuration.worker ?? WorkerConfiguration()
            let pipeline = CallPipelineServices.make(
                configuration, redis: redis, keys: dependencies.keys, logger: logger)
            let registry =
                registry
                ?? .standard(
                    TaskDependencies(
                        postgres: dependencies.postgres, redis: redis, keys: dependencies.keys,
                        pipeline: pipeline.flatMap { services in
                            dependencies.postgres.map { services.dependencies(postgres: $0) }
                        },
                        pipelineTenantConcurrency: configuration.pipeline?.tenantConcurrency
                            ?? PipelineConfiguration.defaultTenantConcurrency))
            if !registry.unavailable.isEmpty {
                throw ConfigurationError(
                    process: .worker, environment: configuration.environment.rawValue,
                    problems: [
                        ConfigurationError.Problem(
                            variable: "DATABASE_URL",
                            message: "required: "
                                + registry.unavailable.keys.sorted().map { "\($0) \(registry.unavailable[$0]!)" }
                                .joined(separator: "; "))
                    ])
            }
            let identity = WorkerIdentity.make()
            let started = UnixTime.now()
            let stats = WorkerStats()
            let heartbeat = HeartbeatPublisher(redis: redis, keys: dependencies.keys, logger: logger) {
                var record = WorkerHeartbeat(
                    id: identity, host: HostInfo.hostName, pid: HostInfo.processID, queues: settings.queues,
                    concurrency: settings.concurrency, startedAt: started, beatAt: started)
                stats.apply(to: &record)
                return record
            }
            let worker = TaskWorker(
                settings: WorkerSettings(configuration: settings, id: identity), redis: redis,
                keys: dependencies.keys, registry: registry, stats: stats,
                logger: logger)
            // Listed in dependency order: on shutdown the worker drains first, then the heartbeat
            // and the admission's rebalancing stop, then the providers' HTTP client.
            if let pipeline {
                services.append(.init(service: pipeline.http))
                services.append(.init(service: pipeline.admissionService))
                if let postgres = dependencies.postgres,
                    registry.entry(named: CallPipelineWorkflow.name + "." + FetchRecordingStep.name) != nil
                {
                    services.append(
                        .init(
                            service: pipeline.sweep(
                                postgres: postgres, redis: redis, keys: dependencies.keys, registry: registry,
                                stale: configuration.pipeline?.sweepAfter ?? CallPipelineSweepService.defaultStale,
                                logger: logger)))
                }
            }
            services.append(.init(service: heartbeat))
            services.append(.init(service: worker))
        } else {
            services.append(
                .init(
                    service: IdleService(
                        logger: logger,
                        reason: "ENABLE_CELERY is not true: tasks run inside otto-api, so this worker has nothing to do"
                    )
                ))
        }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        return (group, dependencies)
    }
}
