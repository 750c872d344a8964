import ArgumentParser
import OttoProcessKit

extension OperatorConfiguration {
    /// The operator tools' configuration: every problem on stderr and exit 78 when invalid.
    public static func loadOrExit() throws(ExitCode) -> OperatorConfiguration {
        try ExitCode.loadingConfiguration { try load() }
    }
}
