import Configuration
import Logging
import OttoPostgres
import OttoRedis

#if canImport(Glibc)
    import Glibc
#endif

/// Reads the variables one process uses and collects every problem before failing once.
struct ConfigurationLoader {
    let process: OttoProcess
    let reader: ConfigReader
    private var problems: [ConfigurationError.Problem] = []

    init(process: OttoProcess, reader: ConfigReader) {
        self.process = process
        self.reader = reader
    }

    /// The value of an environment variable; empty means unset.
    private func raw(_ variable: String) -> String? {
        let key = ConfigKey(variable.lowercased().split(separator: "_").map(String.init))
        let value = reader.string(
            forKey: key, isSecret: OttoConfiguration.secretVariables.contains(variable))
        guard let value, !value.allSatisfy(\.isWhitespace) else { return nil }
        return value
    }

    private mutating func problem(_ variable: String, _ message: String) {
        problems.append(.init(variable: variable, message: message))
    }

    private mutating func require(_ variable: String, because reason: String) -> String? {
        guard let value = raw(variable) else {
            problem(variable, "is required \(reason)")
            return nil
        }
        return value
    }

    private mutating func bool(_ variable: String, default defaultValue: Bool) -> Bool {
        guard let text = raw(variable) else { return defaultValue }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default:
            problem(variable, "must be true or false")
            return defaultValue
        }
    }

    private mutating func integer(
        _ variable: String, default defaultValue: Int, range: ClosedRange<Int>
    ) -> Int {
        guard let text = raw(variable) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            problem(variable, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            return defaultValue
        }
        return value
    }

    mutating func load() throws(ConfigurationError) -> OttoConfiguration {
        let envText = raw("APP_ENV") ?? "development"
        let environment: AppEnvironment
        if let parsed = AppEnvironment(rawValue: envText.lowercased()) {
            environment = parsed
        } else {
            problem("APP_ENV", "must be one of development, test, staging, production")
            environment = .production  // validate as strictly as possible when unsure
        }
        var config = OttoConfiguration(process: process, environment: environment)
        let strict = environment.isStrict
        let strictReason = "when APP_ENV=\(environment.rawValue)"

        loadShared(into: &config)

        switch process {
        case .api:
            config.enableCelery = bool("ENABLE_CELERY", default: false)
            loadAPI(into: &config, strict: strict, strictReason: strictReason)
            if !config.enableCelery {
                // The rollback mode: this process runs the tasks, their retries and the sweep.
                loadInProcessTasks(into: &config)
            }
        case .worker:
            config.enableCelery = bool("ENABLE_CELERY", default: false)
            if config.enableCelery {
                loadWorker(into: &config, strict: strict, strictReason: strictReason)
            }
        case .beat:
            config.enableCeleryBeat = bool("ENABLE_CELERY_BEAT", default: false)
            if config.enableCeleryBeat {
                loadRedis(into: &config, required: true, reason: "when ENABLE_CELERY_BEAT=true")
                config.beatLeaseTTL = integer("BEAT_LEASE_TTL", default: 5, range: 2...300)
                config.beatCatchupWindow = integer(
                    "BEAT_CATCHUP_WINDOW", default: 600, range: 0...86_400)
                config.beatCanaryInterval = integer(
                    "BEAT_CANARY_INTERVAL", default: 60, range: 0...86_400)
                config.webhookRetentionDays = integer("WEBHOOK_RETENTION_DAYS", default: 30, range: 1...3650)
                loadSweepDeadline(into: &config)
            }
        }

        guard problems.isEmpty else {
            throw ConfigurationError(
                process: process, environment: envText.lowercased(), problems: problems)
        }
        return config
    }

    /// The operator tools' configuration: logging, the key prefix and a required Redis.
    mutating func loadForOperatorTool() throws(ConfigurationError) -> OttoConfiguration {
        var config = OttoConfiguration(process: process, environment: .development)
        if let envText = raw("APP_ENV"), let parsed = AppEnvironment(rawValue: envText.lowercased()) {
            config.environment = parsed
        }
        loadShared(into: &config)
        config.logFormat = .text
        loadRedis(into: &config, required: true, reason: "by the operator tools")
        guard problems.isEmpty else {
            throw ConfigurationError(process: process, environment: config.environment.rawValue, problems: problems)
        }
        return config
    }

    private mutating func loadShared(into config: inout OttoConfiguration) {
        if let level = raw("LOG_LEVEL") {
            if let parsed = Logger.Level(rawValue: level.lowercased()) {
                config.logLevel = parsed
            } else {
                problem("LOG_LEVEL", "must be one of trace, debug, info, notice, warning, error, critical")
            }
        }
        config.logFormat = config.environment == .development ? .text : .json
        if let format = raw("LOG_FORMAT") {
            if let parsed = LogFormat(rawValue: format.lowercased()) {
                config.logFormat = parsed
            } else {
                problem("LOG_FORMAT", "must be json or text")
            }
        }
        if let prefix = raw("REDIS_KEY_PREFIX") {
            if prefix.count > 64 || prefix.contains(where: { $0 == "{" || $0 == "}" || $0.isWhitespace }) {
                problem("REDIS_KEY_PREFIX", "must be at most 64 characters without spaces or braces")
            } else {
                config.redisKeyPrefix = prefix
            }
        }
    }

    private mutating func loadDatabase(into config: inout OttoConfiguration, reason: String) {
        guard let url = require("DATABASE_URL", because: reason) else { return }
        let found = PostgresConfiguration.problems(inURL: url)
        for message in found { problem("DATABASE_URL", message) }
        if found.isEmpty { config.databaseURL = Secret(url) }
    }

    private mutating func loadRedis(
        into config: inout OttoConfiguration, required: Bool, reason: String
    ) {
        let variable = raw("REDIS_URL") != nil ? "REDIS_URL" : "UPSTASH_REDIS_URL"
        let caFile = raw("REDIS_TLS_CA_FILE")
        if let caFile, access(caFile, R_OK) != 0 {
            problem("REDIS_TLS_CA_FILE", "names a file that does not exist or cannot be read")
        }
        guard let url = raw(variable) else {
            if required { problem("REDIS_URL", "is required \(reason) (or UPSTASH_REDIS_URL)") }
            return
        }
        do {
            config.redis = try RedisEndpoint(url: url, tlsCAFile: caFile)
            config.redisVariable = variable
        } catch {
            for message in error.problems { problem(variable, message) }
        }
    }

    private mutating func secret(_ variable: String, required: Bool, reason: String) -> Secret? {
        let value = required ? require(variable, because: reason) : raw(variable)
        return value.map(Secret.init)
    }

    private mutating func loadAPI(
        into config: inout OttoConfiguration, strict: Bool, strictReason: String
    ) {
        config.host = raw("HOST") ?? "0.0.0.0"
        config.port = integer("PORT", default: OttoConfiguration.defaultPort, range: 1...65_535)
        loadDatabase(into: &config, reason: "by otto-api")
        loadRedis(
            into: &config, required: config.enableCelery,
            reason: "when ENABLE_CELERY=true")

        config.clerkSecretKey = secret("CLERK_SECRET_KEY", required: strict, reason: strictReason)
        if let key = config.clerkSecretKey, !Self.matchesKey(key.value, prefixes: ["sk_test_", "sk_live_"]) {
            problem("CLERK_SECRET_KEY", "must look like sk_test_… or sk_live_…")
        }
        config.clerkPublishableKey =
            strict ? require("CLERK_PUBLISHABLE_KEY", because: strictReason) : raw("CLERK_PUBLISHABLE_KEY")
        if let key = config.clerkPublishableKey, !Self.matchesKey(key, prefixes: ["pk_test_", "pk_live_"]) {
            problem("CLERK_PUBLISHABLE_KEY", "must look like pk_test_… or pk_live_…")
        }
        if let pem = raw("CLERK_JWT_KEY") {
            let normalized = pem.replacing("\\n", with: "\n")
            if normalized.contains("-----BEGIN PUBLIC KEY-----") && normalized.contains("-----END PUBLIC KEY-----") {
                config.clerkJWTKey = normalized
            } else {
                problem("CLERK_JWT_KEY", "must be a PEM public key (-----BEGIN PUBLIC KEY-----)")
            }
        }
        loadTwilio(into: &config, required: strict, reason: strictReason)
        config.callrailSigningKey = secret("CALLRAIL_SIGNING_KEY", required: strict, reason: strictReason)
        if let text = raw("TENANT_SECRETS_KEY") {
            // Required when strict only once a tenant has a key: the API checks that at start,
            // when it can read the tenants (ServeCommand), not here.
            do {
                config.tenantSecretsKey = try TenantSecretsKey(base64: text)
            } catch {
                problem("TENANT_SECRETS_KEY", error.description)
            }
        }
        if let algorithm = raw("CALLRAIL_SIGNATURE_ALGORITHM") {
            if let parsed = HMACAlgorithm(rawValue: algorithm.lowercased()) {
                config.callrailSignatureAlgorithm = parsed
            } else {
                problem("CALLRAIL_SIGNATURE_ALGORITHM", "must be sha1 or sha256")
            }
        }

        if let base = strict ? require("PUBLIC_BASE_URL", because: strictReason) : raw("PUBLIC_BASE_URL") {
            if let message = Self.problemInBaseURL(base, requireHTTPS: strict) {
                problem("PUBLIC_BASE_URL", message)
            } else {
                config.publicBaseURL = base.hasSuffix("/") ? String(base.dropLast()) : base
            }
        }

        if let origins = strict ? require("ALLOWED_ORIGINS", because: strictReason) : raw("ALLOWED_ORIGINS") {
            let list = origins.split(separator: ",").map { $0.trimmed }
                .filter { !$0.isEmpty }
            for origin in list {
                if origin == "*" {
                    if strict { problem("ALLOWED_ORIGINS", "must not be * \(strictReason)") }
                } else if !Self.isOrigin(origin) {
                    problem("ALLOWED_ORIGINS", "has an entry that is not an origin (scheme://host[:port], no path)")
                }
            }
            config.allowedOrigins = list
        }

        if let token = raw("INTERNAL_API_TOKEN") {
            if token.count < 16 {
                problem("INTERNAL_API_TOKEN", "must be at least 16 characters")
            } else {
                config.internalAPIToken = Secret(token)
            }
        }
        if let text = raw("RATE_LIMIT_API") {
            if let rule = RateLimitRule(parsing: text) {
                config.rateLimitAPI = rule
            } else {
                problem("RATE_LIMIT_API", "must look like 600/1m (\(Self.rateLimitBounds))")
            }
        }
        if let text = raw("RATE_LIMIT_WEBHOOKS") {
            if let rule = RateLimitRule(parsing: text) {
                config.rateLimitWebhooks = rule
            } else {
                problem("RATE_LIMIT_WEBHOOKS", "must look like 3000/1m (\(Self.rateLimitBounds))")
            }
        }
        config.rateLimitFailOpen = bool("RATE_LIMIT_FAIL_OPEN", default: true)
        config.maxBodyBytes = integer("MAX_BODY_BYTES", default: 1 << 20, range: 1...(1 << 30))
        config.trustFlyClientIP = bool("TRUST_FLY_CLIENT_IP", default: raw("FLY_APP_NAME") != nil)
        var limits = HTTPConnectionLimits.standard
        func seconds(_ variable: String, _ value: inout Duration, range: ClosedRange<Int>) {
            value = .seconds(integer(variable, default: Int(value.components.seconds), range: range))
        }
        seconds("HTTP_HEADER_TIMEOUT", &limits.headerTimeout, range: 1...300)
        seconds("HTTP_BODY_TIMEOUT", &limits.bodyTimeout, range: 1...3600)
        seconds("HTTP_IDLE_TIMEOUT", &limits.idleTimeout, range: 1...3600)
        limits.maxHeaderBytes = integer(
            "HTTP_MAX_HEADER_BYTES", default: limits.maxHeaderBytes, range: 4096...(1 << 20))
        config.httpConnectionLimits = limits
    }

    /// `ENABLE_CELERY=false` on the api: the in-process runner's grace, retry span and the sweep.
    private mutating func loadInProcessTasks(into config: inout OttoConfiguration) {
        config.workerShutdownGrace = integer(
            "WORKER_SHUTDOWN_GRACE", default: OttoConfiguration.defaultWorkerShutdownGrace, range: 0...3600)
        loadDatabaseRetrySpan(into: &config)
        loadSweepDeadline(into: &config)
    }

    private mutating func loadDatabaseRetrySpan(into config: inout OttoConfiguration) {
        config.databaseRetrySpan = integer(
            "DATABASE_RETRY_SPAN", default: OttoConfiguration.defaultDatabaseRetrySpan, range: 0...86_400)
    }

    private mutating func loadSweepDeadline(into config: inout OttoConfiguration) {
        config.webhookSweepDeadline = integer(
            "WEBHOOK_SWEEP_DEADLINE", default: OttoConfiguration.defaultWebhookSweepDeadline, range: 5...300)
    }

    private mutating func loadTwilio(into config: inout OttoConfiguration, required: Bool, reason: String) {
        if let sid = required ? require("TWILIO_ACCOUNT_SID", because: reason) : raw("TWILIO_ACCOUNT_SID") {
            if sid.count == 34, sid.hasPrefix("AC"), sid.dropFirst(2).allSatisfy(\.isHexDigit) {
                config.twilioAccountSID = sid
            } else {
                problem("TWILIO_ACCOUNT_SID", "must be AC followed by 32 hexadecimal digits")
            }
        }
        config.twilioAuthToken = secret("TWILIO_AUTH_TOKEN", required: required, reason: reason)
        if let token = config.twilioAuthToken, !(token.value.count == 32 && token.value.allSatisfy(\.isHexDigit)) {
            problem("TWILIO_AUTH_TOKEN", "must be 32 hexadecimal digits")
        }
    }

    private mutating func loadWorker(
        into config: inout OttoConfiguration, strict: Bool, strictReason: String
    ) {
        let reason = "when ENABLE_CELERY=true"
        loadDatabase(into: &config, reason: strict ? strictReason : reason)
        loadRedis(into: &config, required: true, reason: reason)
        loadTwilio(into: &config, required: strict, reason: strictReason)
        config.callrailAPIKey = secret("CALLRAIL_API_KEY", required: strict, reason: strictReason)
        config.deepgramAPIKey = secret("DEEPGRAM_API_KEY", required: strict, reason: strictReason)
        config.openAIAPIKey = secret("OPENAI_API_KEY", required: strict, reason: strictReason)
        config.blandAPIKey = secret("BLAND_API_KEY", required: strict, reason: strictReason)
        config.workerConcurrency = integer(
            "WORKER_CONCURRENCY", default: 2 * OttoConfiguration.coreCount, range: 1...1024)
        if let text = raw("WORKER_QUEUES") {
            let queues = text.split(separator: ",").map { $0.trimmed }
            if queues.isEmpty || queues.contains(where: { !QueueName.isValid($0) }) {
                problem(
                    "WORKER_QUEUES", "must be a comma-separated list of queue names ([a-z0-9_-], 1 to 64 characters)")
            } else {
                config.workerQueues = queues
            }
        }
        config.workerVisibilityTimeout = integer("WORKER_VISIBILITY_TIMEOUT", default: 30, range: 2...86_400)
        config.workerShutdownGrace = integer(
            "WORKER_SHUTDOWN_GRACE", default: OttoConfiguration.defaultWorkerShutdownGrace, range: 0...3600)
        loadDatabaseRetrySpan(into: &config)
    }

    static let rateLimitBounds =
        "N per s, m or h; N from 1 to \(RateLimitRule.maximumLimit), a period of at most 24h"

    static func matchesKey(_ value: String, prefixes: [String]) -> Bool {
        prefixes.contains { value.hasPrefix($0) && value.count > $0.count + 8 }
    }

    static func isOrigin(_ text: String) -> Bool {
        let scheme: String
        if text.hasPrefix("https://") {
            scheme = "https://"
        } else if text.hasPrefix("http://") {
            scheme = "http://"
        } else {
            return false
        }
        let rest = text.dropFirst(scheme.count)
        return !rest.isEmpty
            && !rest.contains { $0 == "/" || $0 == "?" || $0 == "#" || $0 == "@" || $0.isWhitespace }
    }

    static func problemInBaseURL(_ text: String, requireHTTPS: Bool) -> String? {
        let isHTTPS = text.hasPrefix("https://")
        guard isHTTPS || text.hasPrefix("http://") else { return "must start with http:// or https://" }
        if requireHTTPS && !isHTTPS { return "must use https:// in staging and production" }
        let rest = text.drop(while: { $0 != "/" }).dropFirst(2)
        if rest.isEmpty || rest.hasPrefix("/") { return "must name a host" }
        if text.contains("?") || text.contains("#") || text.contains(where: \.isWhitespace) {
            return "must not contain a query, fragment or spaces"
        }
        return nil
    }
}
