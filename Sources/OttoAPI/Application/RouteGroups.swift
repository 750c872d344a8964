import Hummingbird

/// The router's groups, handed to `buildRouter`'s `extraRoutes` so tests (and later features)
/// add routes that get each group's middleware: `/v1` (session verification, rate limit,
/// tenant resolution, idempotency) and `/webhooks` (no middleware: webhook handlers verify,
/// then charge `WebhookRateLimit` themselves).
struct RouteGroups {
    let router: Router<OttoRequestContext>
    let v1: RouterGroup<OttoRequestContext>
    let webhooks: RouterGroup<OttoRequestContext>
}
