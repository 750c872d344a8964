import Configuration
import Logging

/// How a process logs: `LOG_LEVEL` and `LOG_FORMAT` (all processes).
public struct LoggingConfiguration: Sendable, Equatable {
    public var level: Logger.Level
    public var format: LogFormat

    public init(level: Logger.Level = .info, format: LogFormat = .text) {
        self.level = level
        self.format = format
    }

    /// Reads the logging keys.
    ///
    /// ## Configuration keys
    /// - `LOG_LEVEL` (optional, default `info`): trace, debug, info, notice, warning, error or critical.
    /// - `LOG_FORMAT` (optional): `json` or `text`; default `text` in development, `json` elsewhere
    ///   (one object per line).
    public init(config: ConfigReader, environment: AppEnvironment) throws(ConfigurationProblems) {
        var values = ConfigValues(config)
        self.init(format: environment == .development ? .text : .json)
        if let text = values.raw("LOG_LEVEL") {
            if let parsed = Logger.Level(rawValue: text.lowercased()) {
                level = parsed
            } else {
                values.problem("LOG_LEVEL", "must be one of trace, debug, info, notice, warning, error, critical")
            }
        }
        if let text = values.raw("LOG_FORMAT") {
            if let parsed = LogFormat(rawValue: text.lowercased()) {
                format = parsed
            } else {
                values.problem("LOG_FORMAT", "must be json or text")
            }
        }
        try values.finish()
    }
}
