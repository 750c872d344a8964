import Configuration
import OttoProcessKit
import OttoSupport

/// otto-api's HTTP server: where it listens, how much it accepts, whom it believes and lets in.
public struct HTTPServerConfiguration: Sendable {
    /// `HOST`.
    public var host: String
    /// `PORT`.
    public var port: Int
    /// `MAX_BODY_BYTES`.
    public var maxBodyBytes: Int
    /// `TRUST_FLY_CLIENT_IP`: whether `Fly-Client-IP` names the client (Fly's proxy sets it on every request).
    public var trustFlyClientIP: Bool
    /// `HTTP_HEADER_TIMEOUT`, `HTTP_BODY_TIMEOUT`, `HTTP_IDLE_TIMEOUT`, `HTTP_MAX_HEADER_BYTES`.
    public var connectionLimits: HTTPConnectionLimits
    /// `INTERNAL_API_TOKEN`: bearer token for `/internal/*` and `/metrics` from outside loopback.
    public var internalAPIToken: Secret?

    /// The API's default port; deploy/fly.toml's internal_port must match it.
    public static let defaultPort = 8080
    /// The default body limit, 1 MiB.
    public static let defaultMaxBodyBytes = 1 << 20

    public init(
        host: String = "0.0.0.0", port: Int = defaultPort, maxBodyBytes: Int = defaultMaxBodyBytes,
        trustFlyClientIP: Bool = false, connectionLimits: HTTPConnectionLimits = .standard,
        internalAPIToken: Secret? = nil
    ) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.trustFlyClientIP = trustFlyClientIP
        self.connectionLimits = connectionLimits
        self.internalAPIToken = internalAPIToken
    }

    /// Reads the server's keys.
    ///
    /// ## Configuration keys
    /// - `HOST` (optional, default `0.0.0.0`), `PORT` (optional, default 8080, 1 to 65535).
    /// - `INTERNAL_API_TOKEN` (secret, optional): at least 16 characters.
    /// - `MAX_BODY_BYTES` (optional, default 1048576, at most 2^30).
    /// - `TRUST_FLY_CLIENT_IP` (optional): default true when `FLY_APP_NAME` is set (on Fly), else false.
    /// - `HTTP_HEADER_TIMEOUT` (1 to 300 s, default 10), `HTTP_BODY_TIMEOUT` (1 to 3600 s, default 30),
    ///   `HTTP_IDLE_TIMEOUT` (1 to 3600 s, default 75), `HTTP_MAX_HEADER_BYTES` (4096 to 1048576, default 32768).
    public init(config: ConfigReader) throws(ConfigurationProblems) {
        var values = ConfigValues(config)
        self.init()
        host = values.raw("HOST") ?? "0.0.0.0"
        port = values.integer("PORT", default: Self.defaultPort, range: 1...65_535)
        if let token = values.raw("INTERNAL_API_TOKEN") {
            if token.count < 16 {
                values.problem("INTERNAL_API_TOKEN", "must be at least 16 characters")
            } else {
                internalAPIToken = Secret(token)
            }
        }
        maxBodyBytes = values.integer("MAX_BODY_BYTES", default: Self.defaultMaxBodyBytes, range: 1...(1 << 30))
        trustFlyClientIP = values.bool("TRUST_FLY_CLIENT_IP", default: values.raw("FLY_APP_NAME") != nil)
        var limits = HTTPConnectionLimits.standard
        func seconds(_ variable: String, _ value: inout Duration, range: ClosedRange<Int>) {
            value = .seconds(values.integer(variable, default: Int(value.components.seconds), range: range))
        }
        seconds("HTTP_HEADER_TIMEOUT", &limits.headerTimeout, range: 1...300)
        seconds("HTTP_BODY_TIMEOUT", &limits.bodyTimeout, range: 1...3600)
        seconds("HTTP_IDLE_TIMEOUT", &limits.idleTimeout, range: 1...3600)
        limits.maxHeaderBytes = values.integer(
            "HTTP_MAX_HEADER_BYTES", default: limits.maxHeaderBytes, range: 4096...(1 << 20))
        connectionLimits = limits
        try values.finish()
    }
}
