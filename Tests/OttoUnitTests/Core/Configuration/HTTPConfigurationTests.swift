import Configuration
import Testing

@testable import OttoCalls
@testable import OttoCore
@testable import OttoProcessKit
@testable import OttoTasks

/// otto-api's HTTP concerns, each read alone: the server, CORS and the rate limits.
@Suite("Configuration: HTTP server, CORS, rate limits")
struct HTTPConfigurationTests {
    func server(_ environment: [String: String]) throws -> HTTPServerConfiguration {
        try HTTPServerConfiguration(config: ConfigurationRules.reader(environment))
    }

    func serverRefuses(_ environment: [String: String]) -> [String] {
        ConfigurationRules.refused(environment) { config throws(ConfigurationProblems) in
            try HTTPServerConfiguration(config: config)
        }
    }

    @Test("the server's defaults match DESIGN.md")
    func serverDefaults() throws {
        let server = try server([:])
        #expect(server.host == "0.0.0.0")
        #expect(server.port == 8080)
        #expect(server.maxBodyBytes == 1_048_576)
        #expect(server.trustFlyClientIP == false)
        #expect(server.connectionLimits == .standard)
        #expect(server.connectionLimits.headerTimeout == .seconds(10))
        #expect(server.connectionLimits.bodyTimeout == .seconds(30))
        #expect(server.connectionLimits.idleTimeout == .seconds(75))
        #expect(server.connectionLimits.maxHeaderBytes == 32_768)
        #expect(server.internalAPIToken == nil)
    }

    @Test("each server key is read")
    func serverValues() throws {
        let server = try server([
            "HOST": "127.0.0.1", "PORT": "9000", "MAX_BODY_BYTES": "1024", "TRUST_FLY_CLIENT_IP": "true",
            "HTTP_HEADER_TIMEOUT": "300", "HTTP_BODY_TIMEOUT": "3600", "HTTP_IDLE_TIMEOUT": "1",
            "HTTP_MAX_HEADER_BYTES": "4096", "INTERNAL_API_TOKEN": "0123456789abcdef",
        ])
        #expect(server.host == "127.0.0.1")
        #expect(server.port == 9000)
        #expect(server.maxBodyBytes == 1024)
        #expect(server.trustFlyClientIP)
        #expect(server.connectionLimits.headerTimeout == .seconds(300))
        #expect(server.connectionLimits.bodyTimeout == .seconds(3600))
        #expect(server.connectionLimits.idleTimeout == .seconds(1))
        #expect(server.connectionLimits.maxHeaderBytes == 4096)
        #expect(server.internalAPIToken?.value == "0123456789abcdef")
    }

    @Test(
        "the server refuses values outside its bounds",
        arguments: [
            ("PORT", "0"), ("PORT", "65536"), ("MAX_BODY_BYTES", "0"), ("MAX_BODY_BYTES", "1073741825"),
            ("HTTP_HEADER_TIMEOUT", "0"), ("HTTP_HEADER_TIMEOUT", "301"), ("HTTP_BODY_TIMEOUT", "3601"),
            ("HTTP_IDLE_TIMEOUT", "0"), ("HTTP_MAX_HEADER_BYTES", "4095"), ("HTTP_MAX_HEADER_BYTES", "1048577"),
            ("INTERNAL_API_TOKEN", "0123456789abcde"), ("TRUST_FLY_CLIENT_IP", "sometimes"),
        ])
    func serverBounds(variable: String, value: String) {
        #expect(serverRefuses([variable: value]) == [variable])
    }

    @Test("TRUST_FLY_CLIENT_IP defaults to true on Fly, and an explicit false wins there")
    func flyClientIP() throws {
        #expect(try server(["FLY_APP_NAME": "otto"]).trustFlyClientIP)
        #expect(try server(["FLY_APP_NAME": "otto", "TRUST_FLY_CLIENT_IP": "false"]).trustFlyClientIP == false)
    }

    @Test("the server names every problem at once")
    func serverAllProblems() {
        #expect(serverRefuses(["PORT": "x", "HTTP_IDLE_TIMEOUT": "y"]) == ["PORT", "HTTP_IDLE_TIMEOUT"])
    }

    func cors(_ environment: [String: String], _ app: AppEnvironment = .development) -> [String] {
        ConfigurationRules.refused(environment) { config throws(ConfigurationProblems) in
            try CORSConfiguration(config: config, environment: app)
        }
    }

    @Test("ALLOWED_ORIGINS is a trimmed list of exact origins")
    func corsList() throws {
        let cors = try CORSConfiguration(
            config: ConfigurationRules.reader(["ALLOWED_ORIGINS": " https://a.example ,, http://b.example:8080 "]),
            environment: .production)
        #expect(cors.allowedOrigins == ["https://a.example", "http://b.example:8080"])
        #expect(try CORSConfiguration(config: ConfigurationRules.reader([:]), environment: .test).allowedOrigins == [])
    }

    @Test(
        "ALLOWED_ORIGINS refuses paths, queries, user info and other schemes",
        arguments: [
            "https://a.example/", "https://a.example?x=1", "https://u@a.example", "ftp://a.example", "https://",
            "a.example",
        ])
    func corsRefusesNonOrigins(entry: String) {
        #expect(cors(["ALLOWED_ORIGINS": entry]) == ["ALLOWED_ORIGINS"])
    }

    @Test("ALLOWED_ORIGINS is required and * refused only when strict")
    func corsStrict() {
        #expect(cors([:], .production) == ["ALLOWED_ORIGINS"])
        #expect(cors([:], .staging) == ["ALLOWED_ORIGINS"])
        #expect(cors([:], .test).isEmpty)
        #expect(cors(["ALLOWED_ORIGINS": "*"], .staging) == ["ALLOWED_ORIGINS"])
        #expect(cors(["ALLOWED_ORIGINS": "*"], .test).isEmpty)
        let messages = ConfigurationRules.messages(["ALLOWED_ORIGINS": "*"]) { config throws(ConfigurationProblems) in
            try CORSConfiguration(config: config, environment: .production)
        }
        #expect(messages == ["ALLOWED_ORIGINS: must not be * when APP_ENV=production"])
    }

    @Test("the rate limits' defaults, values and refusals")
    func rateLimits() throws {
        let defaults = try RateLimitConfiguration(config: ConfigurationRules.reader([:]))
        #expect(defaults == RateLimitConfiguration())
        #expect(defaults.api == RateLimitRule(limit: 600, periodSeconds: 60))
        #expect(defaults.webhooks == RateLimitRule(limit: 3000, periodSeconds: 60))
        #expect(defaults.failOpen)
        let set = try RateLimitConfiguration(
            config: ConfigurationRules.reader([
                "RATE_LIMIT_API": "10/30s", "RATE_LIMIT_WEBHOOKS": "5000/h", "RATE_LIMIT_FAIL_OPEN": "off",
            ]))
        #expect(set.api == RateLimitRule(limit: 10, periodSeconds: 30))
        #expect(set.webhooks == RateLimitRule(limit: 5000, periodSeconds: 3600))
        #expect(set.failOpen == false)
        let messages = ConfigurationRules.messages([
            "RATE_LIMIT_API": "1/25h", "RATE_LIMIT_WEBHOOKS": "0/1m", "RATE_LIMIT_FAIL_OPEN": "maybe",
        ]) { config throws(ConfigurationProblems) in try RateLimitConfiguration(config: config) }
        #expect(
            messages == [
                "RATE_LIMIT_API: must look like 600/1m (N per s, m or h; N from 1 to 1000000, a period of at most 24h)",
                "RATE_LIMIT_WEBHOOKS: must look like 3000/1m (N per s, m or h; N from 1 to 1000000, a period of at most 24h)",
                "RATE_LIMIT_FAIL_OPEN: must be true or false",
            ])
    }
}
