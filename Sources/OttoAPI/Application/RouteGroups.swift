import Hummingbird

/// The router's groups, handed to `buildRouter`'s `extraRoutes` so tests (and later features)
/// add routes that get each group's middleware: `/v1` (session verification, rate limit,
/// tenant resolution, idempotency) and `/webhooks` (the webhook rate limit, keyed by the path's tenant).
struct RouteGroups {
    let router: Router<OttoRequestContext>
    let v1: RouterGroup<OttoRequestContext>
    let webhooks: RouterGroup<OttoRequestContext>
}
