import Configuration
import OttoRedis

#if canImport(Glibc)
    import Glibc
#endif

/// Where a process's Redis is, and the prefix of every key Otto writes there.
public struct RedisConfiguration: Sendable {
    /// How a process uses Redis, which decides what is read and what is required.
    public enum Use: Sendable, Equatable {
        /// Only `REDIS_KEY_PREFIX` (a worker or beat whose flag is off reads no URL).
        case keyPrefixOnly
        /// The URL when set.
        case optional
        /// The URL, required for the reason given (`when ENABLE_CELERY=true`).
        case required(because: String)
    }

    /// The endpoint from `REDIS_URL` or `UPSTASH_REDIS_URL`; nil when unset (or not read).
    public var endpoint: RedisEndpoint?
    /// The variable the endpoint came from, for messages.
    public var variable: String?
    /// `REDIS_KEY_PREFIX`.
    public var keyPrefix: String

    public static let defaultKeyPrefix = "otto:"

    public init(endpoint: RedisEndpoint? = nil, variable: String? = nil, keyPrefix: String = defaultKeyPrefix) {
        self.endpoint = endpoint
        self.variable = variable
        self.keyPrefix = keyPrefix
    }

    /// Reads the Redis keys that `use` asks for.
    ///
    /// ## Configuration keys
    /// - `REDIS_KEY_PREFIX` (optional, default `otto:`): at most 64 characters, no spaces or braces.
    /// - `REDIS_URL`, `UPSTASH_REDIS_URL` (secret): `redis://` or `rediss://`; `REDIS_URL` wins when both are set.
    /// - `REDIS_TLS_CA_FILE` (optional): a readable PEM CA file for `rediss://`.
    public init(config: ConfigReader, use: Use) throws(ConfigurationProblems) {
        var values = ConfigValues(config)
        self.init()
        if let prefix = values.raw("REDIS_KEY_PREFIX") {
            if prefix.count > 64 || prefix.contains(where: { $0 == "{" || $0 == "}" || $0.isWhitespace }) {
                values.problem("REDIS_KEY_PREFIX", "must be at most 64 characters without spaces or braces")
            } else {
                keyPrefix = prefix
            }
        }
        if use != .keyPrefixOnly {
            readEndpoint(&values, use: use)
        }
        try values.finish()
    }

    private mutating func readEndpoint(_ values: inout ConfigValues, use: Use) {
        let variable = values.raw("REDIS_URL") != nil ? "REDIS_URL" : "UPSTASH_REDIS_URL"
        let caFile = values.raw("REDIS_TLS_CA_FILE")
        if let caFile, access(caFile, R_OK) != 0 {
            values.problem("REDIS_TLS_CA_FILE", "names a file that does not exist or cannot be read")
        }
        guard let url = values.raw(variable) else {
            if case .required(let reason) = use {
                values.problem("REDIS_URL", "is required \(reason) (or UPSTASH_REDIS_URL)")
            }
            return
        }
        do {
            endpoint = try RedisEndpoint(url: url, tlsCAFile: caFile)
            self.variable = variable
        } catch {
            for message in error.problems { values.problem(variable, message) }
        }
    }
}
