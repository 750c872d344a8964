import Foundation
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks

/// A real otto-api process on a port of its own, and HTTP requests to it (curl, one process
/// and one connection per request, so concurrent requests really are concurrent).
public final class APIProcess: Sendable {
    public let port: Int
    public let child: ChildProcess
    public let environment: [String: String]

    /// The Twilio auth token the test configuration signs with (32 hex digits, not a real one).
    public static let twilioToken = "0123456789abcdef0123456789abcdef"

    /// Starts otto-api with `environment` (plus test defaults) and waits for `/health`.
    public init(environment: [String: String], port: Int = FreePort.pick()) async throws {
        self.port = port
        var merged: [String: String] = [
            "APP_ENV": "test", "LOG_FORMAT": "json", "HOST": "127.0.0.1", "PORT": "\(port)",
            "TWILIO_AUTH_TOKEN": Self.twilioToken, "PUBLIC_BASE_URL": "http://127.0.0.1:\(port)",
        ]
        merged.merge(environment) { _, new in new }
        self.environment = merged
        child = ChildProcess(binary: "otto-api", environment: merged)
        try child.start()
        let healthy = await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
            (try? await Self.curl("GET", "http://127.0.0.1:\(port)/health", timeout: 2))?.status == 200
        }
        guard healthy else { throw DidNotStart(output: child.output) }
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Creates a tenant with `otto-api tenants create` against this API's database; returns its id.
    public func createTenant(clerkOrg: String = "org_test_\(UUID().uuidString.prefix(12))") async throws -> String {
        let (status, output) = try await ChildProcess.run(
            "otto-api",
            ["tenants", "create", "--clerk-org", clerkOrg, "--name", "Test", "--json"],
            environment: environment)
        guard status == 0, let data = output.split(separator: "\n").last.map({ Data($0.utf8) }),
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let id = object["id"] as? String
        else { throw DidNotStart(output: "tenants create: \(output)") }
        return id
    }

    /// A Twilio status callback for `tenant`, signed as Twilio signs it; returns the HTTP status.
    public func twilioWebhook(tenant: String, callSID: String, status: String, extra: [(String, String)] = [])
        async throws -> Int
    {
        let path = "/webhooks/twilio/\(tenant)"
        let fields: [(String, String)] =
            [
                ("AccountSid", "AC00000000000000000000000000000000"), ("CallSid", callSID), ("CallStatus", status),
                ("Direction", "inbound"), ("From", "+15551234567"), ("To", "+15557654321"),
            ] + extra
        let body = fields.map { FormURLEncoded.encode($0.0) + "=" + FormURLEncoded.encode($0.1) }.joined(separator: "&")
        let signature = TwilioSignature(authToken: Self.twilioToken).compute(
            url: baseURL + path, parameters: fields.map { (name: $0.0, value: $0.1) })
        return try await request(
            "POST", path,
            headers: ["Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature],
            body: body
        ).status
    }

    /// One HTTP request over its own connection; status 0 when no answer came.
    public func request(
        _ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil,
        timeout: Int = 30
    ) async throws -> (status: Int, body: String) {
        try await Self.curl(method, baseURL + path, headers: headers, body: body, timeout: timeout)
    }

    /// Runs curl without blocking a Swift concurrency thread: the body goes to a file, the
    /// status to a pipe read after curl exited (a few bytes), the exit is awaited.
    public static func curl(
        _ method: String, _ url: String, headers: [String: String] = [:], body: String? = nil, timeout: Int = 30
    ) async throws -> (status: Int, body: String) {
        let scratch = URL(fileURLWithPath: "/tmp").appendingPathComponent("otto-curl-\(UUID().uuidString)")
        let requestFile = scratch.appendingPathExtension("request")
        let responseFile = scratch.appendingPathExtension("response")
        defer {
            try? FileManager.default.removeItem(at: requestFile)
            try? FileManager.default.removeItem(at: responseFile)
        }
        var arguments = ["-s", "-X", method, "--max-time", "\(timeout)", "-o", responseFile.path, "-w", "%{http_code}"]
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        if let body {
            try Data(body.utf8).write(to: requestFile)
            arguments += ["--data-binary", "@" + requestFile.path]
        }
        arguments.append(url)
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = arguments
        let output = Pipe()
        curl.standardOutput = output
        curl.standardError = FileHandle.nullDevice
        curl.standardInput = FileHandle.nullDevice
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            curl.terminationHandler = { _ in continuation.resume() }
            do {
                try curl.run()
            } catch {
                curl.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let status = Int(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)) ?? 0
        let text = (try? String(contentsOf: responseFile, encoding: .utf8)) ?? ""
        return (status, text)
    }

    public struct DidNotStart: Error, CustomStringConvertible {
        public var output: String
        public var description: String { "otto-api did not start: \(output)" }
    }
}
