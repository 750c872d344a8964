import ArgumentParser
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoTasks

/// `otto-api tenants list [--json]`: every tenant with its webhook URLs.
struct TenantsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List tenants and webhook URLs.")

    @Flag(help: "Print one JSON array.")
    var json = false

    func run() async throws {
        let outputs = try await TenantDatabase.run { configuration, directory in
            try await directory.list().map { TenantOutput($0, baseURL: TenantOutput.baseURL(configuration)) }
        }
        if json {
            print(try OttoJSON.string(outputs))
        } else {
            for output in outputs { print(output.text) }
        }
    }
}
