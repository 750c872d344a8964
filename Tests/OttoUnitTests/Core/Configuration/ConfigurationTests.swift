import Testing

@testable import OttoCalls
@testable import OttoCore
@testable import OttoProcessKit
@testable import OttoTasks

@Suite("Configuration")
struct ConfigurationTests {
    // A syntactically valid set for an API in production; values are obviously fake.
    static let validProductionAPI: [String: String] = [
        "APP_ENV": "production",
        "DATABASE_URL": "postgres://otto:pw-FAKE-db@db.internal:5432/otto?sslmode=require",
        "CLERK_SECRET_KEY": "sk_live_FAKEFAKEFAKEFAKE",
        "CLERK_PUBLISHABLE_KEY": "pk_live_FAKEFAKEFAKEFAKE",
        "TWILIO_ACCOUNT_SID": "AC" + String(repeating: "0", count: 32),
        "TWILIO_AUTH_TOKEN": String(repeating: "a", count: 32),
        "CALLRAIL_SIGNING_KEY": "callrail-fake-signing-key",
        "ALLOWED_ORIGINS": "https://app.example.com, https://admin.example.com",
        "PUBLIC_BASE_URL": "https://otto.example.com/",
    ]

    func problems(_ process: OttoProcess, _ environment: [String: String]) -> [String] {
        do {
            switch process {
            case .api: _ = try APIProcessConfiguration.load(environment: environment)
            case .worker: _ = try WorkerProcessConfiguration.load(environment: environment)
            case .beat: _ = try BeatProcessConfiguration.load(environment: environment)
            }
            return []
        } catch {
            return error.variables
        }
    }

    @Test("production api with an empty environment names every required variable")
    func productionAPIEmpty() {
        let missing = Set(problems(.api, ["APP_ENV": "production"]))
        #expect(
            missing == [
                "DATABASE_URL", "CLERK_SECRET_KEY", "CLERK_PUBLISHABLE_KEY", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN",
                "CALLRAIL_SIGNING_KEY", "ALLOWED_ORIGINS", "PUBLIC_BASE_URL",
            ])
    }

    @Test("production api requires Redis only when ENABLE_CELERY=true")
    func productionAPIRedis() {
        #expect(problems(.api, Self.validProductionAPI).isEmpty)
        var environment = Self.validProductionAPI
        environment["ENABLE_CELERY"] = "true"
        #expect(problems(.api, environment) == ["REDIS_URL"])
    }

    @Test("production worker requires its own set and nothing of the API's")
    func productionWorker() {
        let missing = Set(problems(.worker, ["APP_ENV": "production", "ENABLE_CELERY": "true"]))
        #expect(
            missing == [
                "DATABASE_URL", "REDIS_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "CALLRAIL_API_KEY",
                "DEEPGRAM_API_KEY", "OPENAI_API_KEY", "BLAND_API_KEY",
            ])
    }

    @Test("a worker or beat whose flag is off needs nothing, even in production")
    func disabledProcessesNeedNothing() {
        #expect(problems(.worker, ["APP_ENV": "production"]).isEmpty)
        #expect(problems(.beat, ["APP_ENV": "production"]).isEmpty)
        #expect(problems(.beat, ["APP_ENV": "production", "ENABLE_CELERY_BEAT": "true"]) == ["REDIS_URL"])
    }

    @Test("development requires only what the process cannot start without")
    func developmentMinimal() {
        #expect(problems(.api, [:]) == ["DATABASE_URL"])
        #expect(problems(.api, ["ENABLE_CELERY": "true"]) == ["DATABASE_URL", "REDIS_URL"])
        #expect(problems(.api, ["DATABASE_URL": "postgres://localhost/otto"]).isEmpty)
        #expect(problems(.worker, ["ENABLE_CELERY": "true"]) == ["DATABASE_URL", "REDIS_URL"])
    }

    @Test("REDIS_URL wins over UPSTASH_REDIS_URL")
    func redisPrecedence() throws {
        let configuration = try BeatProcessConfiguration.load(
            environment: [
                "ENABLE_CELERY_BEAT": "true", "REDIS_URL": "redis://primary.local:6380/2",
                "UPSTASH_REDIS_URL": "rediss://default:x@upstash.example:6379",
            ])
        #expect(configuration.redis.endpoint?.host == "primary.local")
        #expect(configuration.redis.endpoint?.port == 6380)
        #expect(configuration.redis.endpoint?.database == 2)
        #expect(configuration.redis.variable == "REDIS_URL")

        let upstash = try BeatProcessConfiguration.load(
            environment: ["ENABLE_CELERY_BEAT": "true", "UPSTASH_REDIS_URL": "rediss://default:x@upstash.example:6379"])
        #expect(upstash.redis.endpoint?.useTLS == true)
        #expect(upstash.redis.variable == "UPSTASH_REDIS_URL")
    }

    @Test(
        "every malformed value is reported at once",
        arguments: [
            ("PORT", "eighty"), ("PORT", "70000"), ("APP_ENV", "prod"), ("ENABLE_CELERY", "maybe"),
            ("LOG_LEVEL", "loud"), ("LOG_FORMAT", "xml"), ("RATE_LIMIT_API", "600/1d"), ("RATE_LIMIT_WEBHOOKS", "many"),
            ("MAX_BODY_BYTES", "-1"), ("INTERNAL_API_TOKEN", "short"), ("CLERK_SECRET_KEY", "pk_test_wrongprefix1"),
            ("TWILIO_ACCOUNT_SID", "AC123"), ("TWILIO_AUTH_TOKEN", "not-hex"), ("DATABASE_URL", "mysql://h/db"),
            ("DATABASE_URL", "postgres://h:notaport/db"), ("DATABASE_URL", "postgres://h/db?sslmode=bogus"),
            ("ALLOWED_ORIGINS", "https://ok.example, https://bad.example/path"), ("PUBLIC_BASE_URL", "ftp://x"),
            ("CLERK_JWT_KEY", "not a pem"), ("REDIS_TLS_CA_FILE", "/nonexistent/ca.pem"),
        ])
    func malformedValues(variable: String, value: String) {
        var environment = ["DATABASE_URL": "postgres://localhost/otto", "REDIS_URL": "redis://localhost:6379"]
        environment[variable] = value
        #expect(problems(.api, environment).contains(variable))
    }

    @Test("several problems come back together in one error")
    func allProblemsTogether() {
        let found = problems(.api, ["PORT": "x", "LOG_LEVEL": "y", "RATE_LIMIT_API": "z"])
        #expect(Set(found) == ["PORT", "LOG_LEVEL", "RATE_LIMIT_API", "DATABASE_URL"])
    }

    @Test("wildcard CORS is refused in production and accepted in development")
    func wildcardOrigins() {
        var production = Self.validProductionAPI
        production["ALLOWED_ORIGINS"] = "*"
        #expect(problems(.api, production) == ["ALLOWED_ORIGINS"])
        #expect(problems(.api, ["DATABASE_URL": "postgres://localhost/otto", "ALLOWED_ORIGINS": "*"]).isEmpty)
    }

    @Test("production requires an https public base URL")
    func httpsBaseURL() {
        var production = Self.validProductionAPI
        production["PUBLIC_BASE_URL"] = "http://otto.example.com"
        #expect(problems(.api, production) == ["PUBLIC_BASE_URL"])
    }

    @Test("defaults match DESIGN.md")
    func defaults() throws {
        let api = try APIProcessConfiguration.load(environment: ["DATABASE_URL": "postgres://localhost/otto"])
        #expect(api.http.port == 8080)
        #expect(api.http.host == "0.0.0.0")
        #expect(api.rateLimits.api == RateLimitRule(limit: 600, periodSeconds: 60))
        #expect(api.rateLimits.webhooks == RateLimitRule(limit: 3000, periodSeconds: 60))
        #expect(api.rateLimits.failOpen)
        #expect(api.http.maxBodyBytes == 1_048_576)
        #expect(api.redis.keyPrefix == "otto:")
        #expect(api.logging.format == .text)
        #expect(!api.enableCelery)
        let workerProcess = try WorkerProcessConfiguration.load(
            environment: [
                "APP_ENV": "test", "ENABLE_CELERY": "true", "DATABASE_URL": "postgres://localhost/otto",
                "REDIS_URL": "redis://localhost",
            ])
        let worker = try #require(workerProcess.worker)
        #expect(worker.queues == ["critical", "default", "low"])
        #expect(worker.visibilityTimeout == 30)
        #expect(worker.shutdownGrace == 20)
        #expect(worker.concurrency == 2 * ConfigurationSource.coreCount)
        #expect(workerProcess.logging.format == .json)
        let beatProcess = try BeatProcessConfiguration.load(
            environment: ["ENABLE_CELERY_BEAT": "true", "REDIS_URL": "redis://localhost"])
        let beat = try #require(beatProcess.beat)
        #expect(beat.leaseTTL == 5)
        #expect(beat.catchupWindow == 600)
        #expect(beat.canaryInterval == 60)
    }

    @Test("rate limits parse N/PERIOD with s, m and h")
    func rateLimitParsing() {
        #expect(RateLimitRule(parsing: "600/1m") == RateLimitRule(limit: 600, periodSeconds: 60))
        #expect(RateLimitRule(parsing: "10/30s") == RateLimitRule(limit: 10, periodSeconds: 30))
        #expect(RateLimitRule(parsing: "5000/h") == RateLimitRule(limit: 5000, periodSeconds: 3600))
        #expect(RateLimitRule(parsing: "0/1m") == nil)
        #expect(RateLimitRule(parsing: "10/1d") == nil)
        #expect(RateLimitRule(parsing: "10") == nil)
    }
}
