import Logging
import OttoCalls
import OttoPostgres
import OttoProcessKit
import OttoProviders
import OttoRedis
import OttoTasks

/// What otto-worker runs for the call pipeline: one shared HTTP client for the providers (a
/// Service, stopped after the worker drains), the outbound limits every worker shares through
/// Redis, and the fair admission's rebalancing.
struct CallPipelineServices {
    let http: ProviderHTTPClient
    let clients: ProviderClients
    let limits: ProviderLimits
    let admission: FairAdmission
    let admissionService: FairAdmissionService

    /// Nil when the worker reads no provider settings (`ENABLE_CELERY` off).
    static func make(
        _ configuration: WorkerProcessConfiguration, redis: RedisClient, keys: RedisKeys, logger: Logger
    ) -> CallPipelineServices? {
        guard let providers = configuration.providerClients else { return nil }
        let pipeline = configuration.pipeline ?? PipelineConfiguration()
        // As many connections to a provider's host as its limit lets calls run at once (Twilio's
        // and CallRail's media share one limit), so no permit waits inside the client.
        let connections = max(
            pipeline.deepgram.concurrency, pipeline.openAI.concurrency, pipeline.twilioMedia.concurrency)
        let http = ProviderHTTPClient(
            readTimeout: providers.deepgram.requestTimeout, connectionsPerHost: connections,
            logger: logger.withLabel("otto.providers"))
        let admission = FairAdmission.callPipeline(
            redis: redis, keys: keys, tenantConcurrency: pipeline.tenantConcurrency)
        return CallPipelineServices(
            http: http, clients: ProviderClients(configuration: providers, http: http),
            limits: limits(pipeline, redis: redis, keys: keys),
            admission: admission, admissionService: FairAdmissionService(admission: admission, logger: logger))
    }

    /// The providers' limits every worker shares (and `otto-worker inspect` reads), by their names
    /// in Redis: `deepgram`, `openai`, `twilio_media`.
    static func limits(_ pipeline: PipelineConfiguration, redis: RedisClient, keys: RedisKeys) -> ProviderLimits {
        func limit(_ name: String, _ settings: PipelineConfiguration.ProviderLimit) -> OutboundLimit {
            OutboundLimit(
                redis: redis, keys: keys,
                settings: .init(name: name, concurrency: settings.concurrency, ratePerSecond: settings.ratePerSecond))
        }
        return ProviderLimits(
            deepgram: limit("deepgram", pipeline.deepgram), openAI: limit("openai", pipeline.openAI),
            recordingMedia: limit("twilio_media", pipeline.twilioMedia))
    }

    /// The no-loss sweep of the pipeline's workflows, resuming through the worker's registry.
    func sweep(
        postgres: PostgresPool, redis: RedisClient, keys: RedisKeys, registry: TaskRegistry, stale: Duration,
        logger: Logger
    ) -> CallPipelineSweepService {
        let runtime = WorkflowRuntime(
            redis: redis, keys: keys, journal: PostgresWorkflowJournal(pool: postgres), admission: admission)
        let descriptor = CallPipelineWorkflow.workflow(dependencies(postgres: postgres)).descriptor
        let engine = WorkflowEngine(runtime: runtime, workflows: [descriptor], registry: registry)
        return CallPipelineSweepService(
            pool: postgres, redis: redis, keys: keys, engine: engine, workflow: descriptor, admission: admission,
            stale: stale, logger: logger)
    }

    func dependencies(postgres: PostgresPool) -> CallPipelineDependencies {
        CallPipelineDependencies(postgres: postgres, providers: clients, limits: limits)
    }
}

extension Logger {
    fileprivate func withLabel(_ label: String) -> Logger {
        var copy = Logger(label: label, factory: { _ in self.handler })
        copy.logLevel = logLevel
        return copy
    }
}
