import Logging
import NIOCore
import Synchronization

/// One Redis connection that connects lazily and reconnects after it drops.
///
/// The client's shared connection is one of these, and so is each dedicated connection for
/// blocking commands. Commands in flight when the connection drops fail with
/// `.connectionClosed` (they may or may not have run); the next command reconnects. After a
/// failed connect, attempts are spaced by exponential backoff with jitter, and commands in
/// that window fail at once with `.connectionFailed` instead of piling up.
public final class RedisConnection: Sendable {
    private enum Phase: Sendable {
        case idle
        case connecting(id: UInt64, future: EventLoopFuture<RedisChannel>)
        case ready(id: UInt64, channel: RedisChannel)
        case closed
    }

    private struct State: Sendable {
        var phase: Phase = .idle
        var lastID: UInt64 = 0
        var consecutiveFailures = 0
        var retryNotBefore: NIODeadline?
        /// Why the last connect failed, attached to the fast failures of the backoff window.
        var lastFailure: RedisError?
        /// A warning went out and no connect has succeeded since (so log recovery once).
        var isDown = false
        /// Connects started since the connection was made, successful or not.
        var connectAttempts = 0
    }

    private enum Acquire {
        case use(RedisChannel)
        case wait(EventLoopFuture<RedisChannel>)
        case connect(id: UInt64, promise: EventLoopPromise<RedisChannel>)
        case fail(RedisError)
    }

    private let configuration: RedisConnectionConfiguration
    private let eventLoop: any EventLoop
    private let logger: Logger
    private let state = Mutex(State())
    private let allocator = ByteBufferAllocator()

    init(configuration: RedisConnectionConfiguration, role: String) {
        self.configuration = configuration
        self.eventLoop = configuration.eventLoopGroup.any()
        var logger = configuration.logger
        logger[metadataKey: "redis.connection"] = "\(role)"
        self.logger = logger
    }

    deinit {
        if case .ready(_, let channel) = state.withLock({ $0.phase }) {
            channel.channel.close(promise: nil)
        }
    }

    /// Sends one command; an error reply throws `RedisError(code: .server)`.
    ///
    /// `timeout` nil means the client's `commandTimeout`; a blocking command passes its
    /// block time plus a margin. Cancelling the task does not abandon the reply: replies
    /// are matched in order, so the command still completes or times out.
    public func send(_ arguments: [String], timeout: Duration? = nil) async throws -> RedisValue {
        var buffer = allocator.buffer(capacity: RedisCommandEncoder.estimatedSize(of: arguments))
        try RedisCommandEncoder.encode(arguments, into: &buffer)
        return try Self.throwingServerError(await send(encoded: buffer, timeout: timeout))
    }

    /// Binary-safe form of `send(_:timeout:)`.
    public func send(bytes arguments: [[UInt8]], timeout: Duration? = nil) async throws -> RedisValue {
        var buffer = allocator.buffer(capacity: RedisCommandEncoder.estimatedSize(of: arguments))
        try RedisCommandEncoder.encode(bytes: arguments, into: &buffer)
        return try Self.throwingServerError(await send(encoded: buffer, timeout: timeout))
    }

    /// Sends all commands in one write; replies come back in order, error replies as `.error`.
    public func pipeline(_ commands: [[String]], timeout: Duration? = nil) async throws
        -> [RedisValue]
    {
        guard !commands.isEmpty else { return [] }
        var size = 0
        for command in commands { size &+= RedisCommandEncoder.estimatedSize(of: command) }
        var buffer = allocator.buffer(capacity: size)
        for command in commands {
            try RedisCommandEncoder.encode(command, into: &buffer)
        }
        let deadlineOffset = timeout.map(TimeAmount.init) ?? configuration.commandTimeout
        return try await withChannel { channel in
            try await channel.pipeline(buffer, count: commands.count, deadline: .now() + deadlineOffset)
        }
    }

    /// Closes the connection for good; later commands fail with `.connectionClosed`.
    public func close() async {
        let previous = state.withLock { state -> Phase in
            let previous = state.phase
            state.phase = .closed
            return previous
        }
        switch previous {
        case .ready(_, let channel):
            try? await channel.channel.close()
        case .connecting(_, let future):
            // `connectCompleted` sees `.closed` and closes the new channel itself.
            _ = try? await future.get()
        case .idle, .closed:
            break
        }
    }

    /// Connects started since this connection was made, successful or not. While Redis is away
    /// it rises once per backoff window, however many commands arrive (for metrics and diagnostics).
    public var connectAttempts: Int { state.withLock { $0.connectAttempts } }

    /// Connects now instead of on the first command (dedicated connections fail early).
    func connect() async throws {
        _ = try await acquireChannel()
    }

    // MARK: Sending

    private func send(encoded buffer: ByteBuffer, timeout: Duration?) async throws -> RedisValue {
        let deadlineOffset = timeout.map(TimeAmount.init) ?? configuration.commandTimeout
        return try await withChannel { channel in
            try await channel.send(buffer, deadline: .now() + deadlineOffset)
        }
    }

    private static func throwingServerError(_ value: RedisValue) throws(RedisError) -> RedisValue {
        if case .error(let message) = value {
            throw RedisError(code: .server, serverMessage: message)
        }
        return value
    }

    /// Runs `body` on the current channel; a request that provably never reached the socket
    /// (the channel closed just before) is retried once on a fresh connection.
    private func withChannel<T: Sendable>(_ body: (RedisChannel) async throws -> T) async throws -> T {
        let channel = try await acquireChannel()
        do {
            return try await body(channel)
        } catch let error as RedisError where error.wasNotSent {
            forget(channel)
            return try await body(try await acquireChannel())
        }
    }

    // MARK: Connection state

    private func acquireChannel() async throws -> RedisChannel {
        let action = state.withLock { state -> Acquire in
            switch state.phase {
            case .ready(_, let channel):
                return .use(channel)
            case .connecting(_, let future):
                return .wait(future)
            case .closed:
                return .fail(RedisError(code: .connectionClosed))
            case .idle:
                if let notBefore = state.retryNotBefore, NIODeadline.now() < notBefore {
                    return .fail(RedisError(code: .connectionFailed, underlying: state.lastFailure))
                }
                state.lastID &+= 1
                state.connectAttempts += 1
                let promise = eventLoop.makePromise(of: RedisChannel.self)
                state.phase = .connecting(id: state.lastID, future: promise.futureResult)
                return .connect(id: state.lastID, promise: promise)
            }
        }
        switch action {
        case .use(let channel):
            return channel
        case .wait(let future):
            return try await future.get()
        case .fail(let error):
            throw error
        case .connect(let id, let promise):
            configuration.connect(on: eventLoop).whenComplete { result in
                self.connectCompleted(id: id, result: result, promise: promise)
            }
            return try await promise.futureResult.get()
        }
    }

    private func connectCompleted(
        id: UInt64, result: Result<RedisChannel, any Error>, promise: EventLoopPromise<RedisChannel>
    ) {
        switch result {
        case .success(let channel):
            let outcome = state.withLock { state -> (current: Bool, recovered: Bool) in
                guard case .connecting(id, _) = state.phase else { return (false, false) }
                state.phase = .ready(id: id, channel: channel)
                state.consecutiveFailures = 0
                state.retryNotBefore = nil
                state.lastFailure = nil
                defer { state.isDown = false }
                return (true, state.isDown)
            }
            guard outcome.current else {
                channel.channel.close(promise: nil)
                promise.fail(RedisError(code: .connectionClosed))
                return
            }
            // Weak: an open channel must not keep a forgotten connection alive (deinit closes it).
            channel.channel.closeFuture.whenComplete { [weak self] _ in
                self?.channelClosed(id: id)
            }
            if outcome.recovered {
                logger.info("Redis connection is back")
            } else {
                logger.debug("Redis connected")
            }
            promise.succeed(channel)

        case .failure(let error):
            let redisError =
                error as? RedisError ?? RedisError(code: .connectionFailed, underlying: error)
            let outcome = state.withLock {
                state -> (current: Bool, firstFailure: Bool, delay: TimeAmount) in
                guard case .connecting(id, _) = state.phase else { return (false, false, .zero) }
                state.phase = .idle
                state.consecutiveFailures += 1
                let delay = Self.backoff(
                    failures: state.consecutiveFailures,
                    min: configuration.options.minReconnectDelay,
                    max: configuration.options.maxReconnectDelay
                )
                state.retryNotBefore = .now() + delay
                state.lastFailure = redisError
                defer { state.isDown = true }
                return (true, !state.isDown, delay)
            }
            let metadata: Logger.Metadata = [
                "error": "\(redisError)",
                "retry_in_ms": "\(outcome.delay.nanoseconds / 1_000_000)",
            ]
            if outcome.firstFailure {
                logger.warning("Redis connect failed", metadata: metadata)
            } else if outcome.current {
                logger.debug("Redis connect failed again", metadata: metadata)
            }
            if let underlying = redisError.underlying {
                logger.debug("Redis connect failure detail", metadata: ["error.detail": "\(underlying)"])
            }
            promise.fail(redisError)
        }
    }

    private func channelClosed(id: UInt64) {
        let lost = state.withLock { state -> Bool in
            guard case .ready(id, _) = state.phase else { return false }
            state.phase = .idle
            state.isDown = true
            return true
        }
        if lost {
            logger.warning("Redis connection lost; the next command reconnects")
        }
    }

    private func forget(_ channel: RedisChannel) {
        state.withLock { state in
            if case .ready(_, let current) = state.phase, current.channel === channel.channel {
                state.phase = .idle
            }
        }
    }

    /// Exponential backoff with "equal jitter": a random wait between half and all of
    /// `min * 2^(failures-1)`, capped at `max`, never below `min`.
    static func backoff(failures: Int, min: Duration, max: Duration) -> TimeAmount {
        let minimum = Swift.max(TimeAmount(min).nanoseconds, 1)
        let maximum = Swift.max(TimeAmount(max).nanoseconds, minimum)
        let exponent = Int64(Swift.min(Swift.max(failures - 1, 0), 40))
        let (scaled, overflow) = minimum.multipliedReportingOverflow(by: Int64(1) << exponent)
        let ceiling = overflow ? maximum : Swift.min(scaled, maximum)
        let floor = Swift.max(ceiling / 2, minimum)
        return .nanoseconds(floor >= ceiling ? ceiling : Int64.random(in: floor...ceiling))
    }
}
