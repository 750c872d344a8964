import Foundation
import Logging
import OttoRedis

/// Reads the Redis servers that the test tooling starts; a missing variable fails the test
/// with a message saying what to set (integration tests never skip silently).
enum RedisTestEnvironment {
    struct MissingVariable: Error, CustomStringConvertible {
        var name: String
        var description: String {
            "\(name) is not set: the test tooling must start Redis and export it (see the Makefile's test target)"
        }
    }

    static func variable(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw MissingVariable(name: name)
        }
        return value
    }

    /// The plain server, from `OTTO_TEST_REDIS_URL`.
    static func endpoint() throws -> RedisEndpoint {
        try RedisEndpoint(url: variable("OTTO_TEST_REDIS_URL"))
    }

    /// The TLS server, from `OTTO_TEST_REDIS_TLS_URL` and `OTTO_TEST_REDIS_TLS_CA_FILE`.
    static func tlsEndpoint() throws -> RedisEndpoint {
        try RedisEndpoint(
            url: variable("OTTO_TEST_REDIS_TLS_URL"),
            tlsCAFile: variable("OTTO_TEST_REDIS_TLS_CA_FILE")
        )
    }

    static let logger = Logger(label: "otto.redis.test")

    /// A key prefix no other test (or concurrent run) uses.
    static func uniquePrefix(_ test: String) -> String {
        "otto-test:\(test):\(UUID().uuidString):"
    }

    static func client(_ endpoint: RedisEndpoint, options: RedisClient.Options = .init())
        -> RedisClient
    {
        RedisClient(endpoint: endpoint, options: options, logger: logger)
    }

    /// Deletes every key under `prefix` (SCAN, so it never blocks the server).
    static func cleanUp(_ client: RedisClient, prefix: String) async throws {
        var cursor = "0"
        repeat {
            let reply = try await client.send(["SCAN", cursor, "MATCH", "\(prefix)*", "COUNT", "1000"])
            let parts = reply.array ?? []
            cursor = parts.first?.string ?? "0"
            let keys = parts.count > 1 ? (parts[1].array ?? []).compactMap(\.string) : []
            if !keys.isEmpty {
                _ = try await client.send(["DEL"] + keys)
            }
        } while cursor != "0"
    }
}
