import Logging
import OttoCalls
import OttoTasks
import ServiceLifecycle
import UnixSignals

/// Builds the beat process under one ServiceGroup that listens for SIGTERM and SIGINT.
public enum BeatBuilder {
    /// The beat's service group. With `ENABLE_CELERY_BEAT=false` it idles and says why.
    public static func build(configuration: BeatProcessConfiguration, logger: Logger) -> (ServiceGroup, Dependencies) {
        let dependencies = Dependencies(configuration: configuration, logger: logger)
        // The clients first, so they stop after everything that uses them.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = dependencies.services.map {
            .init(service: $0)
        }
        if configuration.enableCeleryBeat, let redis = dependencies.redis {
            let beat = configuration.beat ?? BeatConfiguration()
            services.append(.init(service: RedisReadyService(redis: redis, logger: logger, message: "otto-beat ready")))
            services.append(
                .init(
                    service: BeatScheduler(
                        schedules: ScheduleCatalog.standard(configuration: beat), registry: .catalog, redis: redis,
                        keys: dependencies.keys, holder: WorkerIdentity.make(),
                        leaseTTL: .seconds(beat.leaseTTL),
                        catchupWindow: beat.catchupWindow, logger: logger)))
        } else {
            services.append(
                .init(
                    service: IdleService(logger: logger, reason: "ENABLE_CELERY_BEAT is not true: nothing to schedule"))
            )
        }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        return (group, dependencies)
    }
}
