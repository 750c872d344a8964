/// A failure of the Redis client, with an extensible `code` (as swift-jobs' `JobQueueError`).
///
/// `description` never carries server text beyond the error kind (`NOSCRIPT`, `WRONGTYPE`,
/// ...): replies can echo keys or values, and descriptions end up in logs and HTTP errors.
/// The full reply stays in `serverMessage` for callers that check prefixes.
public struct RedisError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a value that can grow without breaking `switch`-free callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case connectionFailed, connectionClosed, timeout, server, protocolError, tls, invalidCommand
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No connection could be made (refused, unreachable, handshake, or inside the reconnect backoff).
        public static let connectionFailed = Code(.connectionFailed)
        /// The connection dropped or was closed while the command was in flight or queued.
        public static let connectionClosed = Code(.connectionClosed)
        /// No reply came within the command (or connect) timeout; the connection was closed.
        public static let timeout = Code(.timeout)
        /// Redis answered with an error reply; see `serverMessage`.
        public static let server = Code(.server)
        /// The bytes from the server were not valid RESP2.
        public static let protocolError = Code(.protocolError)
        /// TLS setup or the TLS handshake failed (bad CA file, untrusted certificate, wrong host).
        public static let tls = Code(.tls)
        /// The command itself cannot be sent (for example, no arguments).
        public static let invalidCommand = Code(.invalidCommand)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// The raw error reply for `.server` (e.g. "NOSCRIPT No matching script...").
    public var serverMessage: String?
    /// The lower-level error (NIO, NIOSSL), for logs at debug level; never part of `description`.
    public var underlying: (any Error)?

    /// True when the command was never written to a socket, so resending it cannot run it twice.
    var wasNotSent = false

    /// Creates an error; `serverMessage` is meant for `.server` replies.
    public init(code: Code, serverMessage: String? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.serverMessage = serverMessage
        self.underlying = underlying
    }

    /// The leading upper-case word of a server error ("WRONGTYPE", "NOSCRIPT", "ERR"), if any.
    public var serverErrorKind: String? {
        guard let message = serverMessage else { return nil }
        let word = message.prefix { $0 != " " }
        guard !word.isEmpty, word.count <= 32,
            word.allSatisfy({ ($0.isASCII && $0.isUppercase) || $0 == "_" || $0.isNumber })
        else { return nil }
        return String(word)
    }

    public var description: String {
        if code == .server {
            return "Redis error: server replied \(serverErrorKind ?? "with an error")"
        }
        return "Redis error: \(code)"
    }
}
