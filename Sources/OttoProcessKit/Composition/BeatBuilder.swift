import Logging
import OttoRedis
import OttoTasks
import ServiceLifecycle
import UnixSignals

/// Builds the beat process under one ServiceGroup that listens for SIGTERM and SIGINT.
public enum BeatBuilder {
    /// The beat's service group. With `ENABLE_CELERY_BEAT=false` it idles and says why. The beat
    /// uses Redis alone (its tasks run in the worker), so it builds no PostgreSQL pool and links
    /// no PostgreSQL code.
    public static func build(configuration: BeatProcessConfiguration, logger: Logger) -> ServiceGroup {
        let redis = configuration.redis.endpoint.map { RedisClient(endpoint: $0, logger: logger) }
        let keys = RedisKeys(prefix: configuration.redis.keyPrefix)
        // The client first, so it stops after everything that uses it.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = redis.map { [.init(service: $0)] } ?? []
        if configuration.enableCeleryBeat, let redis {
            let beat = configuration.beat ?? BeatConfiguration()
            services.append(.init(service: RedisReadyService(redis: redis, logger: logger, message: "otto-beat ready")))
            services.append(
                .init(
                    service: BeatScheduler(
                        schedules: ScheduleCatalog.standard(configuration: beat), registry: .scheduled, redis: redis,
                        keys: keys, holder: WorkerIdentity.make(),
                        leaseTTL: .seconds(beat.leaseTTL),
                        catchupWindow: beat.catchupWindow, logger: logger)))
        } else {
            services.append(
                .init(
                    service: IdleService(logger: logger, reason: "ENABLE_CELERY_BEAT is not true: nothing to schedule"))
            )
        }
        return ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    }
}
