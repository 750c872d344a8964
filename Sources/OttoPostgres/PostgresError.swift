/// An error from the PostgreSQL client.
///
/// `description` carries only the code and the SQLSTATE, so the error can go into logs, traces
/// and HTTP problem details without leaking server text (which may quote row values) or the
/// connection URL (which may carry a password). The server's text stays in `serverMessage` for
/// debug logging.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as an extensible set of values (new codes are not a breaking change).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case connectionFailed, connectionLost, queryFailed, timeout, poolClosed, decoding
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No connection could be opened (server down, refused, bad credentials, bad URL).
        public static let connectionFailed = Code(.connectionFailed)
        /// An open connection broke while in use (server restart, backend terminated).
        public static let connectionLost = Code(.connectionLost)
        /// The server rejected the statement; `sqlState` says why.
        public static let queryFailed = Code(.queryFailed)
        /// A deadline passed: statement_timeout (SQLSTATE 57014), checkout or ping timeout.
        public static let timeout = Code(.timeout)
        /// The pool was shut down.
        public static let poolClosed = Code(.poolClosed)
        /// A value could not be converted to or from its PostgreSQL text form.
        public static let decoding = Code(.decoding)

        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// The five-character SQLSTATE, e.g. "23505" (unique_violation) or "57014" (query_canceled).
    public var sqlState: String?
    /// The server's or libpq's raw text. It may quote data or connection details: debug logs only.
    public var serverMessage: String?
    /// A fixed English phrase written by this client (never server text, values or URLs), for logs.
    public var reason: String?

    /// Creates an error; `serverMessage` is kept out of `description`.
    public init(code: Code, sqlState: String? = nil, serverMessage: String? = nil, reason: String? = nil) {
        self.code = code
        self.sqlState = sqlState
        self.serverMessage = serverMessage
        self.reason = reason
    }

    public var description: String {
        if let sqlState {
            return "PostgresError(\(code), sqlState: \(sqlState))"
        }
        return "PostgresError(\(code))"
    }
}
