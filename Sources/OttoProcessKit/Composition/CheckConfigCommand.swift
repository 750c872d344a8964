import ArgumentParser
import OttoTasks

/// `check-config [--connect]`, the same subcommand in otto-api, otto-worker and otto-beat:
/// validates `Configuration` and exits 0 or 78; with `--connect` also proves that each
/// configured dependency answers (0 or 69). See ``ConfigCheck``.
public struct CheckConfigCommand<Configuration: ProcessConfiguration>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "check-config", abstract: "Validate configuration and exit (0 valid, 78 invalid).")
    }

    @Flag(help: "Also prove that each configured dependency answers (exit 69 when one does not).")
    var connect = false

    public init() {}

    public func run() async throws {
        let status = await ConfigCheck.run(Configuration.self, connect: connect)
        if status != 0 { throw ExitCode(status) }
    }
}
