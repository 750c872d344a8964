import ArgumentParser
import Logging
import OttoCore
import OttoProcessKit
import OttoRedis
import OttoSupport
import OttoTasks

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the operator subcommands share: configuration, a Redis client and JSON output.
struct OperatorContext {
    let configuration: OperatorConfiguration
    let redis: RedisClient
    let keys: RedisKeys
    let logger: Logger

    static func make() throws -> OperatorContext {
        let configuration = try OperatorConfiguration.loadOrExit()
        var logger = Logger(label: "otto.worker.operator")
        logger.logLevel = .critical
        return OperatorContext(
            configuration: configuration, redis: RedisClient(endpoint: configuration.endpoint, logger: logger),
            keys: RedisKeys(prefix: configuration.redis.keyPrefix), logger: logger)
    }

    /// Prints one JSON document on stdout (machine-readable output is exactly that).
    static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Reports a failure on stderr and exits 69 (a dependency did not answer) or 1.
    static func fail(_ error: any Error) -> ExitCode {
        if error is RedisError {
            StandardError.write("otto-worker: Redis did not answer (\(error))\n")
            return ExitCode.unavailable
        }
        StandardError.write("otto-worker: \(error)\n")
        return ExitCode.failure
    }
}
