import Configuration
import Logging
import OttoRedis

#if canImport(Glibc)
    import Glibc
#endif

/// Everything a process reads from its environment, validated once at start.
///
/// Each process reads only the variables it uses (see DESIGN.md's table); secrets are wrapped in
/// ``Secret`` so that no description, dump or log line can print them.
public struct OttoConfiguration: Sendable {
    /// The process this configuration was read for.
    public var process: OttoProcess
    /// `APP_ENV`.
    public var environment: AppEnvironment

    // MARK: HTTP (api)
    /// `HOST`, default 0.0.0.0.
    public var host: String = "0.0.0.0"
    /// `PORT`, default 8080.
    public var port: Int = OttoConfiguration.defaultPort
    /// The API's default port; deploy/fly.toml's internal_port must match it.
    public static let defaultPort = 8080

    // MARK: Dependencies
    /// `DATABASE_URL` (secret: it may carry a password).
    public var databaseURL: Secret?
    /// `REDIS_URL`, or `UPSTASH_REDIS_URL` when `REDIS_URL` is unset.
    public var redis: RedisEndpoint?
    /// The variable the Redis endpoint came from, for messages.
    public var redisVariable: String?
    /// `ENABLE_CELERY`: the API enqueues to Redis (true) or runs tasks in-process (false); a worker idles when false.
    public var enableCelery: Bool = false
    /// `ENABLE_CELERY_BEAT`: the beat schedules only when true.
    public var enableCeleryBeat: Bool = false

    // MARK: Providers and auth
    public var clerkSecretKey: Secret?
    public var clerkPublishableKey: String?
    /// `CLERK_JWT_KEY`: PEM public key for networkless token verification.
    public var clerkJWTKey: String?
    public var twilioAccountSID: String?
    public var twilioAuthToken: Secret?
    public var callrailAPIKey: Secret?
    public var callrailSigningKey: Secret?
    /// `TENANT_SECRETS_KEY`: encrypts tenants' own CallRail signing keys at rest (api).
    public var tenantSecretsKey: TenantSecretsKey?
    public var deepgramAPIKey: Secret?
    public var openAIAPIKey: Secret?
    public var blandAPIKey: Secret?
    /// `PUBLIC_BASE_URL`: the URL providers call and sign, without a trailing slash.
    public var publicBaseURL: String?
    /// `ALLOWED_ORIGINS`: exact origins; `["*"]` only outside strict environments.
    public var allowedOrigins: [String] = []
    /// `INTERNAL_API_TOKEN`: bearer token for `/internal/*` and `/metrics` from outside loopback.
    public var internalAPIToken: Secret?

    // MARK: Guard rails (api)
    public var rateLimitAPI = RateLimitRule(limit: 600, periodSeconds: 60)
    public var rateLimitWebhooks = RateLimitRule(limit: 3000, periodSeconds: 60)
    public var rateLimitFailOpen = true
    /// `MAX_BODY_BYTES`, default 1 MiB.
    public var maxBodyBytes = 1 << 20
    /// `HTTP_HEADER_TIMEOUT`, `HTTP_BODY_TIMEOUT`, `HTTP_IDLE_TIMEOUT`, `HTTP_MAX_HEADER_BYTES`.
    public var httpConnectionLimits = HTTPConnectionLimits.standard
    /// `TRUST_FLY_CLIENT_IP`: whether `Fly-Client-IP` names the client (Fly's proxy sets it on
    /// every request); default true when `FLY_APP_NAME` is set (the process runs on Fly), else false.
    public var trustFlyClientIP = false
    /// `CALLRAIL_SIGNATURE_ALGORITHM`: the HMAC CallRail signs with, `sha1` (CallRail's documented
    /// default) or `sha256`.
    public var callrailSignatureAlgorithm: HMACAlgorithm = .sha1

    // MARK: Worker
    public var workerConcurrency: Int = 2 * OttoConfiguration.coreCount
    public var workerQueues: [String] = ["critical", "default", "low"]
    /// `WORKER_VISIBILITY_TIMEOUT` in seconds: a delivered task not acknowledged or renewed for this long is claimed by another worker.
    public var workerVisibilityTimeout: Int = 30
    /// `WORKER_SHUTDOWN_GRACE` in seconds; Fly's kill_timeout must exceed it.
    public var workerShutdownGrace: Int = OttoConfiguration.defaultWorkerShutdownGrace
    public static let defaultWorkerShutdownGrace = 20
    /// `DATABASE_RETRY_SPAN` in seconds (worker; api with `ENABLE_CELERY=false`): tasks that need
    /// PostgreSQL keep retrying for this long after their first failure, so an outage that short
    /// dead-letters nothing.
    public var databaseRetrySpan: Int = OttoConfiguration.defaultDatabaseRetrySpan
    public static let defaultDatabaseRetrySpan = 900

    // MARK: Webhook sweep (beat; api with ENABLE_CELERY=false)
    /// `WEBHOOK_SWEEP_DEADLINE` in seconds: a stored webhook event not processed this long after it
    /// was last enqueued is run again by the sweep, whatever Redis says (at most 300).
    public var webhookSweepDeadline: Int = OttoConfiguration.defaultWebhookSweepDeadline
    public static let defaultWebhookSweepDeadline = 300

    // MARK: Beat
    public var beatLeaseTTL: Int = 5
    public var beatCatchupWindow: Int = 600
    /// `BEAT_CANARY_INTERVAL` in seconds; 0 turns the canary off.
    public var beatCanaryInterval: Int = 60
    /// `WEBHOOK_RETENTION_DAYS`: the daily cleanup deletes webhook events older than this (default 30).
    public var webhookRetentionDays: Int = 30

    // MARK: Shared
    /// `REDIS_KEY_PREFIX`, default `otto:`.
    public var redisKeyPrefix: String = "otto:"
    public var logLevel: Logger.Level = .info
    public var logFormat: LogFormat = .text

    /// Warnings that do not stop a process (logged at start).
    public var warnings: [String] = []

    /// The secret variables: redacted by the reader and never echoed by validation.
    public static let secretVariables: Set<String> = [
        "DATABASE_URL", "REDIS_URL", "UPSTASH_REDIS_URL", "CLERK_SECRET_KEY", "TWILIO_AUTH_TOKEN",
        "CALLRAIL_API_KEY", "CALLRAIL_SIGNING_KEY", "DEEPGRAM_API_KEY", "OPENAI_API_KEY",
        "BLAND_API_KEY", "INTERNAL_API_TOKEN", "TENANT_SECRETS_KEY",
    ]

    /// The number of cores, for the default worker concurrency.
    public static var coreCount: Int {
        #if canImport(Glibc)
            return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
            return 2
        #endif
    }

    init(process: OttoProcess, environment: AppEnvironment) {
        self.process = process
        self.environment = environment
    }

    /// Whether this process talks to Redis at all.
    public var usesRedis: Bool { redis != nil }

    /// Reads and validates the configuration of `process` from `environment` (the process environment by default).
    /// Throws one ``ConfigurationError`` naming every problem.
    public static func load(
        for process: OttoProcess,
        environment variables: [String: String] = OttoConfiguration.processEnvironment()
    ) throws(ConfigurationError) -> OttoConfiguration {
        let provider = EnvironmentVariablesProvider(
            environmentVariables: variables,
            secretsSpecifier: .specific(secretVariables)
        )
        var loader = ConfigurationLoader(process: process, reader: ConfigReader(provider: provider))
        return try loader.load()
    }

    /// Reads only what the operator tools need (`otto-worker enqueue`, `inspect`, `dead`): Redis
    /// and the key prefix, whatever `ENABLE_CELERY` says.
    public static func loadForOperatorTool(
        environment variables: [String: String] = OttoConfiguration.processEnvironment()
    ) throws(ConfigurationError) -> OttoConfiguration {
        let provider = EnvironmentVariablesProvider(
            environmentVariables: variables, secretsSpecifier: .specific(secretVariables))
        var loader = ConfigurationLoader(process: .worker, reader: ConfigReader(provider: provider))
        return try loader.loadForOperatorTool()
    }

    /// The current process environment as a dictionary.
    public static func processEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let separator = text.firstIndex(of: "=") {
                result[String(text[..<separator])] = String(text[text.index(after: separator)...])
            }
            pointer += 1
        }
        return result
    }
}
