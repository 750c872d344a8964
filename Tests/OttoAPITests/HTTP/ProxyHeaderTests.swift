import Foundation
import HTTPTypes
import HummingbirdTesting
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

@testable import OttoAPI

/// Proxy headers: none of them makes a request loopback, and `Fly-Client-IP` names the client
/// only where Fly's proxy sets it (or the operator says so).
@Suite("Proxy headers and client addresses")
struct ProxyHeaderTests {
    static let proxyHeaders: [(String, String)] = [
        ("Forwarded", "for=203.0.113.9;proto=https"), ("X-Forwarded-For", "203.0.113.9"),
        ("X-Real-IP", "203.0.113.9"), ("Fly-Client-IP", "203.0.113.9"),
    ]

    @Test("a loopback request carrying any proxy header is not loopback on internal routes and /metrics")
    func proxiedIsNeverLoopback() async throws {
        var environment = try TestApp.guardedEnvironment("proxy")
        environment["FLY_APP_NAME"] = "otto-test"
        try await TestApp.run(environment: environment) { client, _, _ in
            // Loopback without any proxy header: allowed (503: no worker is alive; 200 for /metrics).
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .ok) }
            for (name, value) in Self.proxyHeaders {
                for path in ["/metrics", "/internal/worker/heartbeat"] {
                    try await client.execute(uri: path, method: .get, headers: [HTTPField.Name(name)!: value]) {
                        response in
                        #expect(response.status == .forbidden, "\(path) with \(name)")
                        #expect(response.headers[.contentType] == "application/problem+json")
                    }
                }
            }
        }
    }

    /// Forged requests (no token) with a new `Fly-Client-IP` each: how many were refused with 429.
    func limitedCount(environment extra: [String: String], requests: Int = 6) async throws -> Int {
        var environment = try TestApp.guardedEnvironment("flyip")
        // Per hour, so a slow machine cannot refill the bucket in the middle of the count.
        environment["RATE_LIMIT_API"] = "2/1h"
        environment = environment.merging(extra) { _, new in new }
        return try await TestApp.run(environment: environment) { client, _, dependencies in
            try await TestApp.connectRedis(dependencies)
            var limited = 0
            for index in 0..<requests {
                let status = try await client.execute(
                    uri: "/v1/me", method: .get, headers: [.flyClientIP: "198.51.100.\(index + 1)"]
                ) { $0.status }
                if status == .tooManyRequests { limited += 1 }
            }
            return limited
        }
    }

    @Test(
        "without Fly (no FLY_APP_NAME), Fly-Client-IP is the client's own word: every request counts against the peer")
    func flyClientIPUntrustedOffFly() async throws {
        #expect(try await limitedCount(environment: [:]) == 4)
    }

    @Test("TRUST_FLY_CLIENT_IP=false on Fly uses the peer too")
    func flyClientIPTrustOff() async throws {
        #expect(try await limitedCount(environment: ["FLY_APP_NAME": "otto", "TRUST_FLY_CLIENT_IP": "false"]) == 4)
    }

    @Test("behind Fly (FLY_APP_NAME set) or with TRUST_FLY_CLIENT_IP=true, Fly-Client-IP is the client's address")
    func flyClientIPTrustedOnFly() async throws {
        #expect(try await limitedCount(environment: ["FLY_APP_NAME": "otto"]) == 0)
        #expect(try await limitedCount(environment: ["TRUST_FLY_CLIENT_IP": "true"]) == 0)
    }

    @Test(
        "a trusted Fly-Client-IP is one bucket per address, and a value that is not an address falls back to the peer")
    func trustedAddressBuckets() async throws {
        var environment = try TestApp.guardedEnvironment("flyip")
        environment["RATE_LIMIT_API"] = "2/1h"
        environment["TRUST_FLY_CLIENT_IP"] = "true"
        try await TestApp.run(environment: environment) { client, _, dependencies in
            try await TestApp.connectRedis(dependencies)
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<3 {
                statuses.append(
                    try await client.execute(uri: "/v1/me", method: .get, headers: [.flyClientIP: "198.51.100.7"]) {
                        $0.status
                    })
            }
            #expect(statuses == [.unauthorized, .unauthorized, .tooManyRequests])
            // Garbage in the header: the peer's bucket (fresh), not one bucket per garbage value.
            var garbage: [HTTPResponse.Status] = []
            for index in 0..<3 {
                garbage.append(
                    try await client.execute(uri: "/v1/me", method: .get, headers: [.flyClientIP: "not-an-ip-\(index)"])
                    { $0.status })
            }
            #expect(garbage == [.unauthorized, .unauthorized, .tooManyRequests])
        }
    }

    @Test("TRUST_FLY_CLIENT_IP must be true or false")
    func trustVariableValidated() throws {
        let base = try TestApp.guardedEnvironment("flyip")
        #expect {
            try APIProcessConfiguration.load(environment: base.merging(["TRUST_FLY_CLIENT_IP": "maybe"]) { $1 })
        } throws: { "\($0)".contains("TRUST_FLY_CLIENT_IP") }
        #expect(try APIProcessConfiguration.load(environment: base).http.trustFlyClientIP == false)
        let onFly = base.merging(["FLY_APP_NAME": "otto"]) { $1 }
        #expect(try APIProcessConfiguration.load(environment: onFly).http.trustFlyClientIP == true)
    }
}
