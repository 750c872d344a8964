import Foundation
import Testing

/// URLs of the real servers `make test` starts (scripts/services.sh). A test that needs one and
/// finds it unset fails with a clear message rather than skipping.
enum TestServices {
    static func variable(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            Issue.record("\(name) is not set: run the tests through `make test`, which starts PostgreSQL and Redis")
            throw MissingService(name: name)
        }
        return value
    }

    static func databaseURL() throws -> String { try variable("OTTO_TEST_DATABASE_URL") }
    static func redisURL() throws -> String { try variable("OTTO_TEST_REDIS_URL") }

    /// A unique Redis key prefix so parallel tests never share keys.
    static func uniquePrefix(_ name: String = "t") -> String {
        "otto-test-\(name)-\(UUID().uuidString.prefix(8).lowercased()):"
    }

    /// The directory holding the built binaries (set by scripts/test.sh; `.build/debug` otherwise).
    static func binary(_ name: String) -> String {
        let directory = ProcessInfo.processInfo.environment["OTTO_BIN_DIR"]
            ?? FileManager.default.currentDirectoryPath + "/.build/debug"
        return directory + "/" + name
    }

    struct MissingService: Error { var name: String }
}
