import HTTPTypes
import Hummingbird
import Logging
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoSupport
import OttoTasks
import ServiceLifecycle

/// Builds the HTTP application from its configuration and dependencies; tests call this with
/// test configuration and real PostgreSQL and Redis.
///
/// `metrics` is the registry `/metrics` renders (one per application, so tests never share or
/// bootstrap a global one); `jwksSource` replaces the Clerk instance's JWKS endpoint (tests
/// serve keys from loopback); `readinessProbe` replaces the probe built from `dependencies`
/// (tests wrap its checks to count and hold them); `workflows` is the journal of the calls'
/// analysis workflows that `GET /v1/calls/{id}` reads (nil: PostgreSQL's, when there is a database);
/// `extraRoutes` adds routes to the router's groups (tests only).
func buildApplication(
    configuration: APIProcessConfiguration, dependencies: Dependencies, logger: Logger,
    metrics: APIMetrics = APIMetrics(), jwksSource: (any JWKSSource)? = nil, readinessProbe: ReadinessProbe? = nil,
    workflows: (any WorkflowJournal)? = nil, extraRoutes: ((RouteGroups) -> Void)? = nil
) -> some ApplicationProtocol {
    let tasks = buildTaskEnqueuer(configuration: configuration, dependencies: dependencies, logger: logger)
    let credentials = buildCredentialCache(
        configuration: configuration, dependencies: dependencies, logger: logger, metrics: metrics)
    // The dashboard's hour of throughput and wait, sampled from the fleet (nothing to sample without Redis).
    let sampler = dependencies.redis.map {
        DashboardSampler(
            fleet: WorkerFleet(redis: $0, keys: dependencies.keys), logger: logger)
    }
    let router = buildRouter(
        configuration: configuration, dependencies: dependencies, tasks: tasks, logger: logger, metrics: metrics,
        jwksSource: jwksSource, readinessProbe: readinessProbe, credentials: credentials, workflows: workflows,
        dashboardSampler: sampler, extraRoutes: extraRoutes)
    // The application's own ServiceGroup starts these before the server and stops them after it
    // has drained its requests (in reverse order), so the tasks those requests enqueued still run.
    var app = Application(
        router: router,
        server: .http1(configuration: .otto(limits: configuration.http.connectionLimits, metrics: metrics)),
        configuration: .init(
            address: .hostname(configuration.http.host, port: configuration.http.port),
            serverName: nil),
        // The clients first: the group stops in reverse order, so they close after the server has
        // drained its requests and the task runner its tasks.
        services: dependencies.services + (credentials.map { [$0] } ?? []) + (sampler.map { [$0] } ?? [])
            + buildTaskServices(configuration: configuration, dependencies: dependencies, tasks: tasks, logger: logger),
        logger: logger)
    // Webhook credentials are loaded before the port opens; a strict environment whose tenants'
    // keys cannot be opened stops here (ServeCommand exits 78).
    if let credentials { app.beforeServerStarts { try await credentials.prepare() } }
    return app
}

/// Tenants' CallRail credentials in memory (nil without a database): webhook verification
/// reads them instead of the database.
func buildCredentialCache(
    configuration: APIProcessConfiguration, dependencies: Dependencies, logger: Logger, metrics: APIMetrics
) -> WebhookCredentialCache? {
    guard let postgres = dependencies.postgres else { return nil }
    let records = TenantRecords(pool: postgres)
    return WebhookCredentialCache(
        source: { try await records.sealedCallRailCredentials() }, secrets: configuration.webhooks.tenantSecretsKey,
        requireUsableKeys: configuration.environment.isStrict, logger: logger,
        onLoad: { trigger, succeeded in metrics.recordCredentialLoad(trigger: trigger.rawValue, succeeded: succeeded) })
}

/// Where the API sends tasks: Redis when `ENABLE_CELERY=true`, this process otherwise.
func buildTaskEnqueuer(configuration: APIProcessConfiguration, dependencies: Dependencies, logger: Logger)
    -> any TaskEnqueuer
{
    if configuration.enableCelery, let redis = dependencies.redis {
        return RedisTaskQueue(redis: redis, keys: dependencies.keys)
    }
    // Without Redis the webhook sweep is the API's own WebhookSweepService, not a task.
    let registry = TaskRegistry.standard(
        TaskDependencies(postgres: dependencies.backgroundPostgres, redis: nil, keys: dependencies.keys))
    let settings = configuration.inProcessTasks ?? InProcessTasksConfiguration()
    return InProcessTaskRunner(
        registry: registry, logger: logger,
        shutdownGrace: .seconds(settings.shutdownGrace),
        databaseRetrySpan: .seconds(settings.databaseRetrySpan))
}

/// With `ENABLE_CELERY=false`: the in-process runner, and the webhook sweep that the beat runs
/// otherwise (listed in dependency order: the sweep enqueues on the runner). Nothing with Redis.
func buildTaskServices(
    configuration: APIProcessConfiguration, dependencies: Dependencies, tasks: any TaskEnqueuer, logger: Logger
) -> [any Service] {
    guard let runner = tasks as? InProcessTaskRunner else { return [] }
    var services: [any Service] = [runner]
    if let postgres = dependencies.backgroundPostgres {
        let deadline = (configuration.inProcessTasks ?? InProcessTasksConfiguration()).webhookSweepDeadline
        services.append(
            WebhookSweepService(
                pool: postgres, runner: runner, deadline: .seconds(deadline), logger: logger))
    }
    return services
}

/// The router, for route tests and the application.
///
/// Layers, outermost first: observability (request id, trace context, problem+json, access
/// log, request metrics), the client's address (once per request), the body limit (413 before
/// any other work), CORS; then per group: `/v1` session verification (no database) → rate limit
/// (the verified tenant's bucket, or the client address's when the credentials failed) →
/// tenant resolution (database; refuses failed credentials) → idempotency. The webhook routes
/// verify first and then charge their limit themselves (`WebhookRateLimit`: the tenant when
/// verified, the client address otherwise). `/health`, `/ready`, `/internal/*` and `/metrics`
/// are never rate limited. `credentials` is the application's webhook credential cache (one is
/// made, loaded on demand, when nil). `dashboardSampler` keeps `/internal/dashboard`'s hour (the
/// application's, run as its service; without one the page shows depths but no hour).
///
/// The operations of docs/openapi.json are served by `APIHandler` through the generated
/// `registerHandlers` (Sources/OttoAPI/Generated, `make openapi`), each on the group of its
/// path (`OperationTransport`); the webhooks, `/metrics` and `/openapi.json` are hand-written
/// routes.
func buildRouter(
    configuration: APIProcessConfiguration, dependencies: Dependencies, tasks: (any TaskEnqueuer)? = nil,
    logger: Logger = Logger(label: "otto.api"), metrics: APIMetrics = APIMetrics(),
    jwksSource: (any JWKSSource)? = nil, readinessProbe: ReadinessProbe? = nil,
    credentials: WebhookCredentialCache? = nil, workflows: (any WorkflowJournal)? = nil,
    dashboardSampler: DashboardSampler? = nil, extraRoutes: ((RouteGroups) -> Void)? = nil
) -> Router<OttoRequestContext> {
    let tasks = tasks ?? buildTaskEnqueuer(configuration: configuration, dependencies: dependencies, logger: logger)
    let credentials =
        credentials
        ?? buildCredentialCache(
            configuration: configuration, dependencies: dependencies, logger: logger, metrics: metrics)
    let router = Router(context: OttoRequestContext.self)
    // The allowed methods are read from the router below; the middleware reads them through a box.
    let allowed = AllowedMethodsBox()
    router.add(middleware: ObservabilityMiddleware(routes: allowed, metrics: metrics))
    router.add(middleware: ClientAddressMiddleware(trustFlyClientIP: configuration.http.trustFlyClientIP))
    router.add(middleware: BodyLimitMiddleware(maxBytes: configuration.http.maxBodyBytes))
    router.add(middleware: CORSMiddleware(allowedOrigins: configuration.cors.allowedOrigins))

    let probe =
        readinessProbe
        ?? ReadinessProbe(
            checks: ReadinessProbe.checks(dependencies: dependencies, includeWorkers: configuration.enableCelery),
            metrics: metrics)
    let operations = router.group().add(middleware: OperationContextMiddleware())

    let internalToken = configuration.http.internalAPIToken?.value
    let internalGroup = router.group("/internal")
        .add(middleware: InternalOnlyMiddleware(token: internalToken))
        .add(middleware: OperationContextMiddleware())
    let fleet = dependencies.redis.map { WorkerFleet(redis: $0, keys: dependencies.keys) }
    MetricsRoutes(metrics: metrics, fleet: fleet, internalToken: internalToken).register(on: router)

    // Rate limiting is off without Redis (the documented rollback).
    func limiter(_ group: String, _ rule: RateLimitRule) -> RateLimiter? {
        dependencies.redis.map {
            RateLimiter(
                group: group, rule: rule, failOpen: configuration.rateLimits.failOpen,
                store: RateLimitStore(redis: $0, keyPrefix: dependencies.keys.prefix), metrics: metrics, logger: logger)
        }
    }
    let v1 = router.group("/v1")
        .add(
            middleware: SessionVerificationMiddleware(
                verifier: makeVerifier(configuration: configuration, jwksSource: jwksSource, logger: logger))
        )
        .add(
            middleware: RateLimitMiddleware(
                limiter: limiter("api", configuration.rateLimits.api), subject: .credentials)
        )
        .add(middleware: TenantResolutionMiddleware(tenants: dependencies.postgres.map { TenantDirectory(pool: $0) }))
        .add(
            middleware: IdempotencyMiddleware(
                store: dependencies.postgres.map { IdempotencyStore(pool: $0) }, metrics: metrics,
                maxBodyBytes: configuration.http.maxBodyBytes)
        )
        .add(middleware: OperationContextMiddleware())

    let handler = APIHandler(
        probe: probe, calls: dependencies.postgres.map { CallStore(pool: $0) },
        taskStates: dependencies.redis.map { TaskStateStore(redis: $0, keys: dependencies.keys) }, fleet: fleet,
        tasks: tasks, pipeline: dependencies.postgres.map { PipelineReader(pool: $0) },
        // The calls' workflows are journaled in PostgreSQL; tests may give another journal.
        workflows: workflows ?? dependencies.postgres.map { PostgresWorkflowJournal(pool: $0) })
    do {
        try handler.registerHandlers(
            on: OperationTransport(groups: [("/v1", v1), ("/internal", internalGroup)], root: operations),
            configuration: APIHandler.configuration,
            middlewares: [ResponseHeadersMiddleware(), DefaultAcceptMiddleware(), ReprocessBodyMiddleware()])
    } catch {
        // The generated code throws only for a server URL it cannot parse; it uses the default "/".
        preconditionFailure("the generated operations could not be registered: \(error)")
    }

    // The webhook routes charge their limit after verification (no middleware before it).
    let webhooks = router.group("/webhooks")
    WebhookRoutes(
        configuration: configuration, events: dependencies.postgres.map { WebhookEventStore(pool: $0) }, tasks: tasks,
        credentials: credentials,
        limits: WebhookRateLimit(limiter: limiter("webhooks", configuration.rateLimits.webhooks))
    ).register(on: webhooks)
    OpenAPIRoutes().register(on: router)
    // The schedules' timing for the beat panel: the beat's keys as this process sees them (on Fly
    // an app's environment is shared by its process groups); the beat's defaults when unset or invalid.
    let beat = (try? BeatConfiguration(config: ConfigurationSource.reader())) ?? BeatConfiguration()
    // The pipeline panel's workflows, from PostgreSQL as `otto-worker inspect` reads them.
    let workflowOverview: (@Sendable () async throws -> WorkflowOverview)? = dependencies.postgres.map { pool in
        { @Sendable in try await WorkflowMaintenance.overview(pool, workflow: CallPipelineWorkflow.name) }
    }
    let usageToday: (@Sendable (Double) async throws -> DayUsage)? = dependencies.postgres.map { pool in
        { @Sendable now in
            try await UsageLedger.day(
                pool, day: CalendarDay(unixSeconds: now), limit: DashboardReader.usageTenantLimit)
        }
    }
    DashboardRoutes(
        reader: dependencies.redis.map {
            DashboardReader(
                fleet: WorkerFleet(redis: $0, keys: dependencies.keys),
                queue: RedisTaskQueue(redis: $0, keys: dependencies.keys),
                taskStates: TaskStateStore(redis: $0, keys: dependencies.keys),
                admission: FairAdmission(
                    redis: $0, keys: dependencies.keys, queue: CallPipelineWorkflow.queue, perTenantLimit: 1),
                beat: beat, sampler: dashboardSampler, workflows: workflowOverview, usage: usageToday)
        }, internalToken: internalToken
    ).register(on: router)

    extraRoutes?(RouteGroups(router: router, v1: v1, webhooks: webhooks))
    allowed.set(AllowedMethods(router: router))
    return router
}

/// The Clerk token verifier: the PEM key when `CLERK_JWT_KEY` is set, else the JWKS of the
/// instance named by `CLERK_PUBLISHABLE_KEY` (or `jwksSource`); nil when neither is available.
/// Tokens must be issued by the instance's Frontend API when the publishable key names it.
func makeVerifier(configuration: APIProcessConfiguration, jwksSource: (any JWKSSource)?, logger: Logger)
    -> ClerkTokenVerifier?
{
    let origins = configuration.cors.allowedOrigins
    var issuer: String?
    if let key = configuration.clerk.publishableKey {
        guard let host = ClerkFrontendAPI.host(publishableKey: key) else {
            logger.error("CLERK_PUBLISHABLE_KEY does not name a Frontend API host; /v1 answers 503")
            return nil
        }
        issuer = ClerkFrontendAPI.issuer(host: host)
    }
    if let pem = configuration.clerk.jwtKey, !pem.isEmpty {
        do {
            return try ClerkTokenVerifier(publicKeyPEM: pem, issuer: issuer, allowedOrigins: origins, logger: logger)
        } catch {
            logger.error("CLERK_JWT_KEY is not a valid RSA public key; /v1 answers 503")
            return nil
        }
    }
    if let jwksSource {
        return ClerkTokenVerifier(jwks: jwksSource, issuer: issuer, allowedOrigins: origins, logger: logger)
    }
    if let key = configuration.clerk.publishableKey, let url = ClerkFrontendAPI.jwksURL(publishableKey: key) {
        return ClerkTokenVerifier(
            jwks: HTTPJWKSSource(url: url), issuer: issuer, allowedOrigins: origins, logger: logger)
    }
    return nil
}
