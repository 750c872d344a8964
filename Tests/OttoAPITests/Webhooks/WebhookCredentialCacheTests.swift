import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

@testable import OttoAPI

/// Webhook verification reads tenants' credentials from memory: no database work per webhook,
/// and a flood naming random tenants, or forging signatures, costs at most one load a second.
@Suite("Webhook credential cache")
struct WebhookCredentialCacheTests {
    /// The loads counted by `otto_webhook_credential_loads_total`, by trigger.
    static func loads(_ metrics: APIMetrics) -> [String: Int] {
        var result: [String: Int] = [:]
        for line in metrics.registry.emitToString().split(separator: "\n")
        where line.hasPrefix("otto_webhook_credential_loads_total{") {
            guard let value = line.split(separator: " ").last.flatMap({ Int($0) }),
                let trigger = line.firstRange(of: "trigger=\"").map({ line[$0.upperBound...].prefix { $0 != "\"" } })
            else { continue }
            result[String(trigger), default: 0] += value
        }
        return result
    }

    @Test("a tenant created after the API started is found on its first CallRail webhook")
    func newTenantFound() async throws {
        try await CallsTestApp.run(environment: try CallsTestApp.environment()) { client, dependencies in
            let key = TenantsCLI.newKey("late")
            let tenant = try await CallsTestApp.tenant(dependencies, signingKey: key)
            let status = try await CallsTestApp.callRail(
                client, tenant: tenant, json: #"{"resource_id":"CAL-late","answered":true}"#, key: key
            ).0
            #expect(status == .ok)
        }
    }

    @Test("a flood of webhooks naming random tenants or forging signatures loads the credentials at most once a second")
    func floodCostsOneLoadPerSecond() async throws {
        let metrics = APIMetrics()
        var environment = try CallsTestApp.environment()
        environment["RATE_LIMIT_WEBHOOKS"] = "1000000/1m"
        try await CallsTestApp.run(environment: environment, metrics: metrics) { client, dependencies in
            let tenant = try await CallsTestApp.tenant(dependencies)
            let port = try #require(client.port)
            let before = Self.loads(metrics).values.reduce(0, +)
            let start = ContinuousClock.now
            let requests = HandlerCounter()
            let unexpected = HandlerCounter()
            // 12 connections, a fixed number of requests each: 8 name a new random tenant every
            // time (40 requests, each a miss), 4 forge signatures for one real tenant (200
            // requests, each a failed verification). Every one of them asks for a reload.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for connection in 0..<12 {
                    let randomTenants = connection < 8
                    group.addTask {
                        try await TestClient.withClient(host: "127.0.0.1", port: port) { http in
                            for _ in 0..<(randomTenants ? 5 : 50) {
                                let path =
                                    randomTenants
                                    ? "/webhooks/callrail/\(UUID().uuidString.lowercased())"
                                    : "/webhooks/callrail/\(tenant)"
                                let response = try await http.post(
                                    path,
                                    headers: [.contentType: "application/json", HTTPField.Name("signature")!: "AAAA"],
                                    body: ByteBuffer(string: #"{"resource_id":"CAL-flood"}"#))
                                // Random tenants: 404; forged signatures for a real tenant: 403.
                                if response.status != (randomTenants ? .notFound : .forbidden) {
                                    _ = unexpected.increment()
                                }
                                _ = requests.increment()
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let elapsed = ContinuousClock.now - start
            let loads = Self.loads(metrics).values.reduce(0, +) - before
            let seconds = Int(elapsed.components.seconds) + 1
            print("credential cache flood: \(requests.value) requests in \(elapsed), \(loads) loads")
            // The contract itself: at most one load per started second (plus the one under way).
            #expect(loads <= seconds + 1, "\(loads) loads in \(elapsed)")
            #expect(loads >= 1)
            #expect(unexpected.value == 0, "\(unexpected.value) answers were neither 404 nor 403")
            #expect(requests.value == 240)
            // Far fewer loads than requests asking for one: the throttle and single flight worked.
            #expect(requests.value >= 4 * loads, "\(loads) loads for \(requests.value) requests")
        }
    }
}
