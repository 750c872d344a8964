import OpenAPIRuntime
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoSupport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `/health` (liveness: touches nothing) and `/ready` (every configured dependency).
extension APIHandler {
    func health(_ input: Operations.Health.Input) async throws -> Operations.Health.Output {
        .ok(
            .init(
                body: .json(
                    .init(
                        status: "healthy", timestamp: Int(UnixTime.now()), service: .init(stringLiteral: Self.service))
                )))
    }

    /// The format follows `Accept` (`application/health+json` for the IETF health-check draft's),
    /// so `ResponseHeadersMiddleware` adds `Vary: Accept`.
    func ready(_ input: Operations.Ready.Input) async throws -> Operations.Ready.Output {
        let report = await probe.report()
        if input.headers.accept.contains(where: { $0.contentType == .applicationHealthJson }) {
            let check = healthCheck(report)
            return report.ready
                ? .ok(.init(body: .applicationHealthJson(check)))
                : .serviceUnavailable(.init(body: .applicationHealthJson(check)))
        }
        let readiness = readiness(report)
        return report.ready ? .ok(.init(body: .json(readiness))) : .serviceUnavailable(.init(body: .json(readiness)))
    }

    /// DESIGN.md's shape: `{"ready","components","timestamp","duration_ms","service"}`.
    func readiness(_ report: ReadinessReport) -> Components.Schemas.Readiness {
        let healthy = Dictionary(report.results.map { ($0.name, $0.healthy) }, uniquingKeysWith: { first, _ in first })
        return .init(
            ready: report.ready,
            components: .init(
                database: healthy["database"], redis: healthy["redis"], celeryWorkers: healthy["celery_workers"]),
            timestamp: Int(report.timestamp), durationMs: (report.durationSeconds * 1_000_000).rounded() / 1000,
            service: .init(stringLiteral: Self.service))
    }

    /// The IETF health-check draft's shape (`application/health+json`).
    func healthCheck(_ report: ReadinessReport) -> Components.Schemas.HealthCheck {
        let time = Date(timeIntervalSince1970: report.timestamp)
        var checks: [String: [Components.Schemas.HealthCheckResult]] = [:]
        for result in report.results {
            let type = result.name == "database" || result.name == "redis" ? "datastore" : "system"
            checks["\(result.name):responseTime"] = [
                .init(
                    componentType: .init(stringLiteral: type),
                    observedValue: (result.latencySeconds * 1_000_000).rounded() / 1000, observedUnit: "ms",
                    status: .init(stringLiteral: result.healthy ? "pass" : "fail"), time: time, output: result.reason)
            ]
        }
        return .init(
            status: .init(stringLiteral: report.ready ? "pass" : "fail"), version: OttoVersion.current,
            serviceId: .init(stringLiteral: Self.service), description: "Otto API readiness",
            checks: .init(additionalProperties: checks))
    }
}
