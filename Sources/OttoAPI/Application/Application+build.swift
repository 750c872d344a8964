import HTTPTypes
import Hummingbird
import Logging
import OttoCore

/// Builds the HTTP application from its configuration and dependencies; tests call this with
/// test configuration and real PostgreSQL and Redis.
func buildApplication(
    configuration: OttoConfiguration, dependencies: Dependencies, logger: Logger, testTenantHeader: Bool = false
) -> some ApplicationProtocol {
    let tasks = buildTaskEnqueuer(configuration: configuration, dependencies: dependencies, logger: logger)
    let router = buildRouter(
        configuration: configuration, dependencies: dependencies, tasks: tasks, testTenantHeader: testTenantHeader)
    return Application(
        router: router,
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: nil),
        logger: logger)
}

/// Where the API sends tasks: Redis when `ENABLE_CELERY=true`, this process otherwise.
func buildTaskEnqueuer(configuration: OttoConfiguration, dependencies: Dependencies, logger: Logger)
    -> any TaskEnqueuer
{
    if configuration.enableCelery, let redis = dependencies.redis {
        return RedisTaskQueue(redis: redis, keys: dependencies.keys)
    }
    return InProcessTaskRunner(postgres: dependencies.postgres, keys: dependencies.keys, logger: logger)
}

/// The router alone, for route tests. `testTenantHeader` (tests only) mounts the `/v1` calls
/// routes with the caller's tenant taken from an `X-Test-Tenant` header; without it they wait for
/// the Clerk authentication middleware.
func buildRouter(
    configuration: OttoConfiguration, dependencies: Dependencies, tasks: any TaskEnqueuer,
    testTenantHeader: Bool = false
) -> Router<OttoRequestContext> {
    buildRoutes(
        configuration: configuration, dependencies: dependencies, tasks: tasks, testTenantHeader: testTenantHeader
    ).router
}

/// The router with the table of its routes (the OpenAPI test compares the table with the document).
func buildRoutes(
    configuration: OttoConfiguration, dependencies: Dependencies, tasks: any TaskEnqueuer,
    testTenantHeader: Bool = false
) -> (router: Router<OttoRequestContext>, table: RouteTable) {
    var table = RouteTable()
    let router = Router(context: OttoRequestContext.self)
    // The route table is filled below; the middleware reads the final value through a box.
    let box = RouteTableBox()
    router.add(middleware: ObservabilityMiddleware(routes: box))

    let probe = ReadinessProbe(
        checks: ReadinessProbe.checks(dependencies: dependencies, includeWorkers: configuration.enableCelery))
    HealthRoutes(probe: probe).register(on: router, table: &table)

    let internalGroup = router.group("/internal")
        .add(middleware: InternalOnlyMiddleware(token: configuration.internalAPIToken?.value))
    InternalRoutes(redis: dependencies.redis, keys: dependencies.keys).register(on: internalGroup, table: &table)

    WebhookRoutes(configuration: configuration, postgres: dependencies.postgres, tasks: tasks)
        .register(on: router.group("/webhooks"), prefix: "/webhooks", table: &table)
    OpenAPIRoutes().register(on: router, table: &table)
    if testTenantHeader {
        CallsRoutes(
            postgres: dependencies.postgres, redis: dependencies.redis, keys: dependencies.keys, tasks: tasks,
            tenantOf: .testHeader
        ).register(on: router.group("/v1"), prefix: "/v1", table: &table)
    }

    box.set(table)
    return (router, table)
}
