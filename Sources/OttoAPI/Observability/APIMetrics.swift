import CoreMetrics
import Metrics
import Prometheus

/// The API's metrics, recorded through swift-metrics into one Prometheus registry that
/// `GET /metrics` renders.
///
/// Every metric is made with this instance's factory rather than the global `MetricsSystem`,
/// so each application (and each test) has its own registry and nothing is bootstrapped twice.
/// Dimensions stay low-cardinality: route templates, never raw paths or ids. So each handle is
/// made once, on its first use, and kept: a request does not look its metrics up in the registry.
final class APIMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    private let counters = MetricHandleCache<CoreMetrics.Counter>()
    private let timers = MetricHandleCache<CoreMetrics.Timer>()

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
        counter("http_requests_total", dimensions).increment()
        timer("http_request_duration_seconds", dimensions).recordNanoseconds(duration.nanoseconds)
    }

    /// `otto_rate_limit_decisions_total` by route group and decision
    /// (`allowed`, `limited`, `error_open`, `error_closed`).
    func recordRateLimit(group: String, decision: String) {
        counter("otto_rate_limit_decisions_total", [("group", group), ("decision", decision)]).increment()
    }

    /// `otto_http_connections_closed_total` by reason (`header_timeout`, `body_timeout`,
    /// `idle_timeout`, `header_too_large`): connections the server closed on a slow or
    /// oversized client.
    func recordConnectionClosed(reason: String) {
        counter("otto_http_connections_closed_total", [("reason", reason)]).increment()
    }

    /// `otto_idempotency_total` by outcome (`stored`, `replayed`, `conflict`, `mismatch`).
    func recordIdempotency(outcome: String) {
        counter("otto_idempotency_total", [("outcome", outcome)]).increment()
    }

    /// `otto_webhook_credential_loads_total` by trigger (`start`, `periodic`, `miss`, `stale`)
    /// and result (`ok`, `error`): how often the webhook credential cache read the tenants.
    func recordCredentialLoad(trigger: String, succeeded: Bool) {
        counter(
            "otto_webhook_credential_loads_total", [("trigger", trigger), ("result", succeeded ? "ok" : "error")]
        ).increment()
    }

    /// `otto_dependency_checks_total` by dependency and result, and
    /// `otto_dependency_check_duration_seconds` by dependency (from `/ready`).
    func recordDependencyCheck(name: String, healthy: Bool, duration: Duration) {
        counter("otto_dependency_checks_total", [("dependency", name), ("result", healthy ? "pass" : "fail")])
            .increment()
        timer("otto_dependency_check_duration_seconds", [("dependency", name)])
            .recordNanoseconds(duration.nanoseconds)
    }

    /// `otto_readiness_shared_total`: `/ready` requests answered by the check already in flight
    /// rather than a check of their own (how much a health-check storm was absorbed).
    func recordReadinessShared() {
        counter("otto_readiness_shared_total", []).increment()
    }

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> CoreMetrics.Counter {
        counters.handle(label, dimensions) { CoreMetrics.Counter(label: $0, dimensions: $1, factory: factory) }
    }

    private func timer(_ label: String, _ dimensions: [(String, String)]) -> CoreMetrics.Timer {
        timers.handle(label, dimensions) { CoreMetrics.Timer(label: $0, dimensions: $1, factory: factory) }
    }
}

extension Duration {
    /// Whole nanoseconds (saturating), for swift-metrics timers.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
