import Foundation
import OttoCalls
import OttoTasks
import Testing

/// URLs of the real servers `make test` starts (scripts/services.sh). A test that needs one and
/// finds it unset fails with a clear message rather than skipping.
public enum TestServices {
    public static func variable(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            Issue.record("\(name) is not set: run the tests through `make test`, which starts PostgreSQL and Redis")
            throw MissingService(name: name)
        }
        return value
    }

    public static func databaseURL() throws -> String { try variable("OTTO_TEST_DATABASE_URL") }
    public static func redisURL() throws -> String { try variable("OTTO_TEST_REDIS_URL") }

    /// A unique Redis key prefix so parallel tests never share keys.
    public static func uniquePrefix(_ name: String = "t") -> String {
        "otto-test-\(name)-\(UUID().uuidString.prefix(8).lowercased()):"
    }

    /// The directory holding the built binaries (set by scripts/test.sh; `.build/debug` otherwise).
    public static func binary(_ name: String) -> String {
        let directory =
            ProcessInfo.processInfo.environment["OTTO_BIN_DIR"]
            ?? FileManager.default.currentDirectoryPath + "/.build/debug"
        return directory + "/" + name
    }

    public struct MissingService: Error { public var name: String }
}
