import HTTPTypes
import Hummingbird
import Logging
import OttoCore

/// Builds the HTTP application from its configuration and dependencies; tests call this with
/// test configuration and real PostgreSQL and Redis.
func buildApplication(
    configuration: OttoConfiguration, dependencies: Dependencies, logger: Logger
) -> some ApplicationProtocol {
    let router = buildRouter(configuration: configuration, dependencies: dependencies)
    return Application(
        router: router,
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: nil),
        logger: logger)
}

/// The router alone, for route tests.
func buildRouter(configuration: OttoConfiguration, dependencies: Dependencies) -> Router<OttoRequestContext> {
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

    box.set(table)
    return router
}
