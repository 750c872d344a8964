import Logging
import NIOCore
import NIOPosix

/// Otto's Redis client: one shared, pipelined connection for ordinary commands, plus
/// dedicated connections for blocking commands.
///
/// hiredis is only the RESP2 codec; SwiftNIO carries the bytes, so nothing blocks a thread
/// and `rediss://` works through NIOSSL. Connections are made lazily and remade after
/// failures with backoff, so a Redis outage degrades commands, never the process.
public final class RedisClient: Sendable {
    private let configuration: RedisConnectionConfiguration
    private let shared: RedisConnection

    /// Creates the client without connecting: the first command connects.
    public init(
        endpoint: RedisEndpoint,
        options: Options = .init(),
        logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = RedisConnectionConfiguration(
            endpoint: endpoint,
            options: options,
            logger: logger,
            eventLoopGroup: eventLoopGroup
        )
        self.shared = RedisConnection(configuration: configuration, role: "shared")
    }

    /// The endpoint this client talks to (its description hides the password).
    public var endpoint: RedisEndpoint { configuration.endpoint }

    /// Connects the shared connection has started, successful or not: while Redis is away it rises
    /// once per reconnect backoff window, not once per command (for metrics and diagnostics).
    public var connectAttempts: Int { shared.connectAttempts }

    /// Sends one command on the shared, pipelined connection; an error reply throws
    /// `RedisError(code: .server)`.
    public func send(_ arguments: [String]) async throws -> RedisValue {
        try await shared.send(arguments)
    }

    /// Binary-safe form of `send(_:)` for values that are not UTF-8 text.
    public func send(bytes arguments: [[UInt8]]) async throws -> RedisValue {
        try await shared.send(bytes: arguments)
    }

    /// Sends several commands in one write; replies come back in order and error replies
    /// are returned as `.error`, so one failing command does not hide the others' results.
    public func pipeline(_ commands: [[String]]) async throws -> [RedisValue] {
        try await shared.pipeline(commands)
    }

    /// Runs a script by its SHA1 (`EVALSHA`); when the server does not know it (`NOSCRIPT`,
    /// after a restart or `SCRIPT FLUSH`), sends it with `EVAL`, which also caches it.
    public func eval(_ script: RedisScript, keys: [String], arguments: [String]) async throws
        -> RedisValue
    {
        var command: [String] = []
        command.reserveCapacity(3 + keys.count + arguments.count)
        command.append("EVALSHA")
        command.append(script.sha1)
        command.append(String(keys.count))
        command.append(contentsOf: keys)
        command.append(contentsOf: arguments)
        do {
            return try await shared.send(command)
        } catch let error as RedisError
            where error.code == .server && error.serverErrorKind == "NOSCRIPT"
        {
            command[0] = "EVAL"
            command[1] = script.source
            return try await shared.send(command)
        }
    }

    /// A connection of its own for blocking commands (`XREADGROUP BLOCK`, `BLMOVE`, `BRPOP`),
    /// so they never stall other callers. It connects before returning; the caller closes it.
    public func makeDedicatedConnection() async throws -> RedisConnection {
        let connection = RedisConnection(configuration: configuration, role: "dedicated")
        do {
            try await connection.connect()
        } catch {
            await connection.close()
            throw error
        }
        return connection
    }

    /// Proves Redis answers (`PING` within the command timeout); for readiness checks.
    public func ping() async throws {
        let reply = try await shared.send(["PING"])
        guard reply == .simpleString("PONG") else {
            throw RedisError(code: .protocolError)
        }
    }

    /// Closes the shared connection; dedicated connections are closed by their owners.
    public func close() async {
        await shared.close()
    }
}
