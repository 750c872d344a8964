import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Everything a connection needs to (re)connect, shared by the client's shared
/// connection and its dedicated ones so all follow the same AUTH/SELECT/TLS rules.
struct RedisConnectionConfiguration: Sendable {
    let endpoint: RedisEndpoint
    let options: RedisClient.Options
    let logger: Logger
    let eventLoopGroup: any EventLoopGroup
    /// Built once per client (loading trust roots is slow); nil for plain TCP.
    let tlsContext: Result<NIOSSLContext, RedisError>?
    let commandTimeout: TimeAmount
    /// AUTH and SELECT, encoded once.
    let handshakeCommands: [ByteBuffer]

    init(
        endpoint: RedisEndpoint, options: RedisClient.Options, logger: Logger,
        eventLoopGroup: any EventLoopGroup
    ) {
        self.endpoint = endpoint
        self.options = options
        var logger = logger
        logger[metadataKey: "redis.endpoint"] = "\(endpoint)"
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
        self.commandTimeout = TimeAmount(options.commandTimeout)
        self.tlsContext = endpoint.useTLS ? Self.makeTLSContext(caFile: endpoint.tlsCAFile) : nil

        var commands: [[String]] = []
        if let password = endpoint.password {
            if let username = endpoint.username {
                commands.append(["AUTH", username, password])
            } else {
                commands.append(["AUTH", password])
            }
        }
        if endpoint.database != 0 {
            commands.append(["SELECT", String(endpoint.database)])
        }
        if commands.isEmpty, endpoint.useTLS {
            // Proves the TLS handshake (certificate, host name) while connecting, so a
            // trust failure is reported as `.tls` by connect, not by the first command.
            commands.append(["PING"])
        }
        self.handshakeCommands = commands.map { command in
            var buffer = ByteBuffer()
            try? RedisCommandEncoder.encode(command, into: &buffer)
            return buffer
        }
    }

    /// Full certificate verification; trust roots from the CA file when given, else the system store.
    private static func makeTLSContext(caFile: String?) -> Result<NIOSSLContext, RedisError> {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .fullVerification
        if let caFile {
            tls.trustRoots = .file(caFile)
        }
        do {
            return .success(try NIOSSLContext(configuration: tls))
        } catch {
            return .failure(RedisError(code: .tls, underlying: error))
        }
    }

    /// Connects, then AUTH and SELECT (or PING to finish the TLS handshake), all within the connect timeout.
    func connect(on eventLoop: any EventLoop) -> EventLoopFuture<RedisChannel> {
        let sslContext: NIOSSLContext?
        switch tlsContext {
        case .none: sslContext = nil
        case .success(let context): sslContext = context
        case .failure(let error): return eventLoop.makeFailedFuture(error)
        }
        let host = endpoint.host
        // SNI and hostname verification need a name; for an IP address NIOSSL checks the IP SANs.
        let serverHostname = (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
        let connectTimeout = TimeAmount(options.connectTimeout)
        let deadline = NIODeadline.now() + connectTimeout
        let handshakeCommands = self.handshakeCommands
        // The handler of each attempted channel, by channel: looking it up in the pipeline
        // later fails when a TLS handshake error has already closed the channel (and removed
        // its handlers), and the handler holds the reason. All attempts share `eventLoop`.
        let handlers = NIOLoopBoundBox.makeBoxSendingValue(
            [ObjectIdentifier: RedisChannelHandler](),
            as: [ObjectIdentifier: RedisChannelHandler].self,
            eventLoop: eventLoop
        )

        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(ChannelOptions.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                do {
                    if let sslContext {
                        let tlsHandler = try NIOSSLClientHandler(
                            context: sslContext, serverHostname: serverHostname)
                        try channel.pipeline.syncOperations.addHandler(tlsHandler)
                    }
                    let handler = RedisChannelHandler()
                    try channel.pipeline.syncOperations.addHandler(handler)
                    handlers.value[ObjectIdentifier(channel)] = handler
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }

        return bootstrap.connect(host: host, port: endpoint.port)
            .flatMapErrorThrowing { error in
                throw Self.connectError(error)
            }
            .flatMap { channel in
                let handler = handlers.value.removeValue(forKey: ObjectIdentifier(channel))
                handlers.value.removeAll()
                guard let handler else {
                    channel.close(promise: nil)
                    return channel.eventLoop.makeFailedFuture(RedisError(code: .connectionFailed))
                }
                return Self.prepare(
                    channel: channel,
                    handler: handler,
                    deadline: deadline,
                    handshakeCommands: handshakeCommands
                )
            }
    }

    /// Runs on the channel's event loop: sends the handshake commands one after the other.
    private static func prepare(
        channel: any Channel,
        handler: RedisChannelHandler,
        deadline: NIODeadline,
        handshakeCommands: [ByteBuffer]
    ) -> EventLoopFuture<RedisChannel> {
        let redisChannel = RedisChannel(
            channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
        let timeout = channel.eventLoop.scheduleTask(deadline: deadline) {
            redisChannel.handler.value.abort(reason: RedisError(code: .timeout))
        }
        var ready = channel.eventLoop.makeSucceededVoidFuture()
        for command in handshakeCommands {
            ready = ready.flatMap {
                redisChannel.sendOnLoop(command, deadline: deadline)
            }.flatMapThrowing { reply in
                if case .error(let message) = reply {
                    throw RedisError(code: .server, serverMessage: message)
                }
            }
        }
        return ready.map {
            timeout.cancel()
            return redisChannel
        }.flatMapError { error in
            timeout.cancel()
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(Self.connectError(error))
        }
    }

    /// Keeps our own codes (timeout, tls, server), maps TLS library errors to `.tls`, the rest
    /// to `.connectionFailed`.
    private static func connectError(_ error: any Error) -> RedisError {
        if let error = error as? RedisError {
            if error.code == .connectionClosed {
                return RedisError(code: .connectionFailed, underlying: error.underlying ?? error)
            }
            return error
        }
        if error is NIOSSLError || error is BoringSSLError {
            return RedisError(code: .tls, underlying: error)
        }
        return RedisError(code: .connectionFailed, underlying: error)
    }
}
