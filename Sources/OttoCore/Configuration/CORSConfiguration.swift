import Configuration
import OttoCalls
import OttoProcessKit
import OttoSupport
import OttoTasks

/// The browser origins otto-api answers with CORS headers: `ALLOWED_ORIGINS`.
public struct CORSConfiguration: Sendable {
    /// Exact origins; `["*"]` only outside strict environments.
    public var allowedOrigins: [String]

    public init(allowedOrigins: [String] = []) {
        self.allowedOrigins = allowedOrigins
    }

    /// Reads `ALLOWED_ORIGINS`.
    ///
    /// ## Configuration keys
    /// - `ALLOWED_ORIGINS` (required when strict): comma-separated exact origins
    ///   (`scheme://host[:port]`, no path); `*` is refused when strict.
    public init(config: ConfigReader, environment: AppEnvironment) throws(ConfigurationProblems) {
        var values = ConfigValues(config)
        self.init()
        if let origins = values.value("ALLOWED_ORIGINS", requiredBecause: environment.strictRequirement) {
            let list = origins.split(separator: ",").map { $0.trimmed }.filter { !$0.isEmpty }
            for origin in list {
                if origin == "*" {
                    if environment.isStrict {
                        values.problem("ALLOWED_ORIGINS", "must not be * \(environment.strictReason)")
                    }
                } else if !Self.isOrigin(origin) {
                    values.problem(
                        "ALLOWED_ORIGINS", "has an entry that is not an origin (scheme://host[:port], no path)")
                }
            }
            allowedOrigins = list
        }
        try values.finish()
    }

    /// Whether `text` is `http://` or `https://` followed by a host and optional port, nothing else.
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
}
