import Logging

/// Bootstraps swift-log once per process: JSON lines outside development, text in a terminal.
public enum LoggingSetup {
    /// Installs the process-wide handler and returns the process logger (`otto.api`, `otto.worker`, `otto.beat`).
    public static func bootstrap(process: OttoProcess, format: LogFormat, level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler
            switch format {
            case .json: handler = JSONLogHandler(label: label)
            case .text: handler = StreamLogHandler.standardOutput(label: label)
            }
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "otto.\(process.rawValue)")
        logger.logLevel = level
        return logger
    }

    /// A logger that writes JSON lines to `output` without touching the global bootstrap (tests).
    public static func logger(label: String, output: LogOutput, level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: label) { label in JSONLogHandler(label: label, output: output) }
        logger.logLevel = level
        return logger
    }
}
