import ArgumentParser
import OttoCore

/// Validates configuration (exit 0 or 78); with `--connect` also proves dependencies answer (0 or 69).
struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate configuration and exit (0 valid, 78 invalid).")

    @Flag(help: "Also prove that each configured dependency answers (exit 69 when one does not).")
    var connect = false

    func run() async throws {
        let status = await ConfigCheck.run(process: .api, connect: connect)
        if status != 0 { throw ExitCode(status) }
    }
}
