import Foundation
import OttoCalls
import OttoTasks
import OttoTestSupport
import Testing

/// deploy/quick-validation.sh's CORS checks against a real otto-api: a refused origin that gets
/// no `Access-Control-Allow-Origin` proves something only when a listed origin gets one, so an
/// API that answers no origin at all (no CORS) fails instead of passing the refusal check.
@Suite("quick-validation.sh CORS checks", .serialized)
struct QuickValidationCORSTests {
    static let origin = "https://app.example.com"

    /// Runs otto-api with `ALLOWED_ORIGINS` (unset: CORS lists no origin, which from outside is an
    /// API without CORS) and hands `body` its base URL.
    func withAPI(allowedOrigins: String?, _ body: (String) async throws -> Void) async throws {
        let port = FreePort.pick()
        var environment = [
            "APP_ENV": "test", "PORT": "\(port)", "HOST": "127.0.0.1", "DATABASE_URL": try TestServices.databaseURL(),
        ]
        if let allowedOrigins { environment["ALLOWED_ORIGINS"] = allowedOrigins }
        let api = ChildProcess(binary: "otto-api", environment: environment)
        try api.start()
        let base = "http://127.0.0.1:\(port)"
        let up = await eventually(timeout: .seconds(30)) { await ProcessProbe.httpStatus(base + "/health") == 200 }
        do {
            try #require(up, "otto-api did not answer /health: \(api.output)")
            try await body(base)
        } catch {
            api.signal(SIGTERM)
            _ = await api.waitForExit(timeout: .seconds(15))
            throw error
        }
        api.signal(SIGTERM)
        _ = await api.waitForExit(timeout: .seconds(15))
    }

    /// The script's CORS lines (`PASS cors-allowed: …`, `FAIL cors-refused: …`, …).
    func corsLines(base: String, allowedOrigin: String?) async throws -> [String] {
        var environment = ["PATH": "/usr/bin:/bin", "BASE": base, "LATENCY_REQUESTS": "1"]
        if let allowedOrigin { environment["ALLOWED_ORIGIN"] = allowedOrigin }
        // Run without blocking a thread of the cooperative pool.
        let output = try await ProcessRunner.run(
            "/bin/sh", [FileManager.default.currentDirectoryPath + "/deploy/quick-validation.sh"],
            environment: environment, standardError: .merged
        ).text
        let lines = output.split(separator: "\n").map(String.init).filter { $0.contains(" cors-") }
        #expect(lines.count == 2, "\(output)")
        return lines
    }

    @Test("against an API that echoes no origin, the refusal check fails (given ALLOWED_ORIGIN) or is skipped")
    func noCORSFails() async throws {
        try await withAPI(allowedOrigins: nil) { base in
            let given = try await corsLines(base: base, allowedOrigin: Self.origin)
            #expect(given.contains { $0.hasPrefix("FAIL cors-allowed:") }, "\(given)")
            #expect(given.contains { $0.hasPrefix("FAIL cors-refused:") }, "\(given)")

            let without = try await corsLines(base: base, allowedOrigin: nil)
            #expect(without.contains { $0.hasPrefix("SKIP cors-allowed:") }, "\(without)")
            #expect(without.contains { $0.hasPrefix("SKIP cors-refused:") }, "\(without)")
        }
    }

    @Test("against an API that lists the origin, both CORS checks pass")
    func listedOriginPasses() async throws {
        try await withAPI(allowedOrigins: Self.origin) { base in
            let lines = try await corsLines(base: base, allowedOrigin: Self.origin)
            #expect(lines.contains { $0.hasPrefix("PASS cors-allowed:") }, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("PASS cors-refused:") }, "\(lines)")
        }
    }
}
