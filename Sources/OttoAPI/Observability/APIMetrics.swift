import CoreMetrics
import Metrics
import Prometheus

/// The API's metrics, recorded through swift-metrics into one Prometheus registry that
/// `GET /metrics` renders.
///
/// Every metric is made with this instance's factory rather than the global `MetricsSystem`,
/// so each application (and each test) has its own registry and nothing is bootstrapped twice.
/// Dimensions stay low-cardinality: route templates, never raw paths or ids.
final class APIMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        self.factory = factory
    }

    /// `http_requests_total` and `http_request_duration_seconds` by method, route template and status.
    func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        let dimensions = [("method", method), ("route", route), ("status", String(status))]
        Counter(label: "http_requests_total", dimensions: dimensions, factory: factory).increment()
        Timer(label: "http_request_duration_seconds", dimensions: dimensions, factory: factory)
            .recordNanoseconds(duration.nanoseconds)
    }

    /// `otto_rate_limit_decisions_total` by route group and decision
    /// (`allowed`, `limited`, `error_open`, `error_closed`).
    func recordRateLimit(group: String, decision: String) {
        Counter(
            label: "otto_rate_limit_decisions_total", dimensions: [("group", group), ("decision", decision)],
            factory: factory
        ).increment()
    }

    /// `otto_http_connections_closed_total` by reason (`header_timeout`, `body_timeout`,
    /// `idle_timeout`, `header_too_large`): connections the server closed on a slow or
    /// oversized client.
    func recordConnectionClosed(reason: String) {
        Counter(label: "otto_http_connections_closed_total", dimensions: [("reason", reason)], factory: factory)
            .increment()
    }

    /// `otto_idempotency_total` by outcome (`stored`, `replayed`, `conflict`, `mismatch`).
    func recordIdempotency(outcome: String) {
        Counter(label: "otto_idempotency_total", dimensions: [("outcome", outcome)], factory: factory).increment()
    }

    /// `otto_webhook_credential_loads_total` by trigger (`start`, `periodic`, `miss`, `stale`)
    /// and result (`ok`, `error`): how often the webhook credential cache read the tenants.
    func recordCredentialLoad(trigger: String, succeeded: Bool) {
        Counter(
            label: "otto_webhook_credential_loads_total",
            dimensions: [("trigger", trigger), ("result", succeeded ? "ok" : "error")], factory: factory
        ).increment()
    }

    /// `otto_dependency_checks_total` by dependency and result, and
    /// `otto_dependency_check_duration_seconds` by dependency (from `/ready`).
    func recordDependencyCheck(name: String, healthy: Bool, duration: Duration) {
        Counter(
            label: "otto_dependency_checks_total",
            dimensions: [("dependency", name), ("result", healthy ? "pass" : "fail")], factory: factory
        ).increment()
        Timer(label: "otto_dependency_check_duration_seconds", dimensions: [("dependency", name)], factory: factory)
            .recordNanoseconds(duration.nanoseconds)
    }

    /// `otto_readiness_shared_total`: `/ready` requests answered by the check already in flight
    /// rather than a check of their own (how much a health-check storm was absorbed).
    func recordReadinessShared() {
        Counter(label: "otto_readiness_shared_total", factory: factory).increment()
    }
}

extension Duration {
    /// Whole nanoseconds (saturating), for swift-metrics timers.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
