import Foundation
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks
import OttoTestSupport
import Testing

/// Numeric configuration that would overflow (or that a dependency would refuse only at run
/// time) is refused by `check-config` with exit 78 and a message naming the variable, for every
/// numeric variable of every binary. Each case runs the real binary.
@Suite("Configuration bounds", .serialized)
struct ConfigurationBoundsTests {
    /// One value that must be refused: the binary, the environment, and the variable the message names.
    struct Case: Sendable, CustomStringConvertible {
        var binary: String
        var environment: [String: String]
        var variable: String
        var description: String { "\(binary) \(environment)" }
    }

    static let overflow = "99999999999999999999"
    static let database = "postgres://otto@127.0.0.1:5432/otto"
    static let worker = ["ENABLE_CELERY": "true", "DATABASE_URL": database, "REDIS_URL": "redis://127.0.0.1:6379/0"]
    static let beat = ["ENABLE_CELERY_BEAT": "true", "REDIS_URL": "redis://127.0.0.1:6379/0"]

    static let cases: [Case] = {
        var cases: [Case] = []
        func api(_ variable: String, _ value: String) {
            let environment = ["DATABASE_URL": database].merging([variable: value]) { $1 }
            cases.append(Case(binary: "otto-api", environment: environment, variable: variable))
        }
        // Rate limits: a count, a period, or both beyond what the limiter can compute with.
        for value in [
            "1/99999999999999999m", "1/999999999999999999h", "1/9223372036854775807s", "9223372036854775807/1s",
            "\(overflow)/1m", "1/\(overflow)s", "10/25h", "2000000/1s", "10/0s", "10/-1m", "10/+1m", "+10/1m",
        ] {
            api("RATE_LIMIT_API", value)
            api("RATE_LIMIT_WEBHOOKS", value)
        }
        for variable in ["PORT", "MAX_BODY_BYTES"] {
            api(variable, overflow)
            api(variable, "-" + overflow)
        }
        api("MAX_BODY_BYTES", "2147483648")
        // libpq reads these as C ints and refuses larger ones only when it connects.
        for option in [
            "connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count",
            "tcp_user_timeout",
        ] {
            api("DATABASE_URL", database + "?\(option)=2147483648")
            api("DATABASE_URL", database + "?\(option)=\(overflow)")
        }
        api("DATABASE_URL", "postgres://otto@127.0.0.1:\(overflow)/otto")
        api("REDIS_URL", "redis://127.0.0.1:\(overflow)/0")
        api("REDIS_URL", "redis://127.0.0.1:6379/\(overflow)")
        for variable in [
            "WORKER_CONCURRENCY", "WORKER_VISIBILITY_TIMEOUT", "WORKER_SHUTDOWN_GRACE", "PROVIDER_REQUEST_TIMEOUT",
        ] {
            cases.append(
                Case(
                    binary: "otto-worker", environment: worker.merging([variable: overflow]) { $1 }, variable: variable)
            )
        }
        for variable in ["BEAT_LEASE_TTL", "BEAT_CATCHUP_WINDOW", "BEAT_CANARY_INTERVAL", "WEBHOOK_RETENTION_DAYS"] {
            cases.append(
                Case(binary: "otto-beat", environment: beat.merging([variable: overflow]) { $1 }, variable: variable))
        }
        return cases
    }()

    @Test("check-config exits 78 naming the variable for every numeric value out of bounds", arguments: cases)
    func outOfBoundsIsRefused(_ example: Case) async throws {
        let (status, output) = try await ChildProcess.run(
            example.binary, ["check-config"], environment: example.environment)
        #expect(status == 78, "\(example): exit \(status)\n\(output)")
        #expect(output.contains("invalid configuration"), "\(example): \(output)")
        #expect(output.contains("- \(example.variable): "), "\(example): \(output)")
    }

    /// A fresh RSA public key whose private half is thrown away (openssl), so every token is refused.
    static func throwawayPublicKey() throws -> String {
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/bin/sh")
        openssl.arguments = [
            "-c", "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null | openssl pkey -pubout",
        ]
        let pipe = Pipe()
        openssl.standardOutput = pipe
        try openssl.run()
        let pem = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        openssl.waitUntilExit()
        try #require(pem.contains("-----BEGIN PUBLIC KEY-----"), "openssl made no key")
        return pem
    }

    @Test("the largest rate limits check-config accepts run: otto-api answers /v1 and /webhooks under them")
    func largestAcceptedLimitsServe() async throws {
        let port = FreePort.pick()
        let environment = [
            "APP_ENV": "test", "HOST": "127.0.0.1", "PORT": String(port),
            "DATABASE_URL": try TestServices.databaseURL(),
            "REDIS_URL": try TestServices.redisURL(), "REDIS_KEY_PREFIX": TestServices.uniquePrefix("bounds"),
            "RATE_LIMIT_API": "1000000/24h", "RATE_LIMIT_WEBHOOKS": "1/24h", "MAX_BODY_BYTES": "1073741824",
            // Authentication and webhook verification configured, so the requests reach their 4xx.
            "CLERK_JWT_KEY": try Self.throwawayPublicKey(), "TWILIO_AUTH_TOKEN": "00112233445566778899aabbccddeeff",
        ]
        let (checked, checkOutput) = try await ChildProcess.run("otto-api", ["check-config"], environment: environment)
        #expect(checked == 0, "\(checkOutput)")

        let api = ChildProcess(binary: "otto-api", environment: environment)
        try api.start()
        defer { api.signal(SIGTERM) }
        let base = "http://127.0.0.1:\(port)"
        #expect(await HTTPExchange.waitForOK(base + "/health", timeout: .seconds(30)), "\(api.output)")
        let me = try await HTTPExchange.send("GET", base + "/v1/me")
        #expect(me.status == 401)
        #expect(me.header("RateLimit-Policy") == "1000000;w=86400", "\(me.headers)")
        let webhook = try await HTTPExchange.send(
            "POST", base + "/webhooks/twilio/\(UUID().uuidString.lowercased())",
            headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Data("CallSid=CA1".utf8))
        #expect(webhook.status >= 400 && webhook.status < 500, "status \(webhook.status): \(webhook.text)")
        #expect(webhook.header("RateLimit-Policy") == "1;w=86400", "\(webhook.headers)")
        #expect(try await HTTPExchange.send("GET", base + "/health").status == 200, "otto-api died: \(api.output)")
    }

    @Test("otto-worker enqueue refuses a delay or attempt count beyond its bounds with a usage error")
    func enqueueBounds() async throws {
        let environment = [
            "REDIS_URL": try TestServices.redisURL(), "REDIS_KEY_PREFIX": TestServices.uniquePrefix("enqueue-bounds"),
        ]
        for arguments in [
            ["--delay", "1e300"], ["--delay", "inf"], ["--delay", "nan"], ["--delay", "31536001"],
            ["--max-attempts", "9223372036854775807"], ["--max-attempts", "1001"],
        ] {
            let (status, output) = try await ChildProcess.run(
                "otto-worker", ["enqueue", "otto.ping"] + arguments, environment: environment)
            #expect(status == 64, "\(arguments): exit \(status)\n\(output)")
            #expect(output.contains(arguments[0]), "\(arguments): \(output)")
        }
        let (status, output) = try await ChildProcess.run(
            "otto-worker", ["enqueue", "otto.ping", "--delay", "31536000", "--max-attempts", "1000", "--json"],
            environment: environment)
        #expect(status == 0, "\(output)")
        #expect(output.contains("\"ids\""), "\(output)")
    }
}
