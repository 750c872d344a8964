import ArgumentParser
import OttoSupport

extension ProcessConfiguration {
    /// The configuration of a starting process or command: every problem on stderr and exit 78
    /// when invalid.
    public static func loadOrExit() throws(ExitCode) -> Self {
        try ExitCode.loadingConfiguration { try load() }
    }
}

extension ExitCode {
    /// 78: the process refuses its configuration.
    public static let configuration = ExitCode(ExitStatus.configuration)
    /// 69: a dependency did not answer.
    public static let unavailable = ExitCode(ExitStatus.unavailable)

    /// `load()`'s value, or every problem it reports on stderr and exit 78.
    public static func loadingConfiguration<T>(_ load: () throws -> T) throws(ExitCode) -> T {
        do {
            return try load()
        } catch {
            StandardError.write("\(error)\n")
            throw ExitCode.configuration
        }
    }
}
