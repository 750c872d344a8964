import OttoCore

/// One readiness answer: each configured component and whether all of them are healthy.
struct ReadinessReport: Sendable {
    var results: [DependencyCheck.Result]
    var durationSeconds: Double
    var timestamp: Double

    var ready: Bool { results.allSatisfy(\.healthy) }

    /// DESIGN.md's shape: `{"ready","components","timestamp","duration_ms","service"}`.
    func json(service: String) -> String {
        let components = results.map { "\"\($0.name)\":\($0.healthy)" }.joined(separator: ",")
        let milliseconds = (durationSeconds * 1_000_000).rounded() / 1000
        return "{\"ready\":\(ready),\"components\":{\(components)},\"timestamp\":\(Int(timestamp)),"
            + "\"duration_ms\":\(milliseconds),\"service\":\"\(service)\"}"
    }

    /// The IETF health-check draft's shape (`application/health+json`).
    func healthJSON(service: String, version: String) -> String {
        let time = LogTimestamp.rfc3339(timestamp)
        let checks = results.map { result in
            let type = result.name == "database" || result.name == "redis" ? "datastore" : "system"
            let observed = (result.latencySeconds * 1_000_000).rounded() / 1000
            return "\"\(result.name):responseTime\":[{\"componentType\":\"\(type)\",\"observedValue\":\(observed),"
                + "\"observedUnit\":\"ms\",\"status\":\"\(result.healthy ? "pass" : "fail")\",\"time\":\"\(time)\""
                + (result.reason.map { ",\"output\":\"\($0)\"" } ?? "") + "}]"
        }.joined(separator: ",")
        return "{\"status\":\"\(ready ? "pass" : "fail")\",\"version\":\"\(version)\",\"serviceId\":\"\(service)\","
            + "\"description\":\"Otto API readiness\",\"checks\":{\(checks)}}"
    }
}
