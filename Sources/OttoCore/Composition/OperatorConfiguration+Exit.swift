import ArgumentParser
import OttoProcessKit
import OttoSupport

extension OperatorConfiguration {
    /// The operator tools' configuration: every problem on stderr and exit 78 when invalid.
    public static func loadOrExit() throws(ExitCode) -> OperatorConfiguration {
        do {
            return try load()
        } catch {
            StandardError.write("\(error)\n")
            throw ExitCode(ExitStatus.configuration)
        }
    }
}
