import CLibPQ

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One libpq connection; only ever used by the thread that checked it out of the pool.
///
/// Every call blocks its thread for a server round trip, which is why `PostgresPool` runs the
/// closures that receive a connection on its own threads, never on an event loop or the Swift
/// concurrency pool. Do not keep a connection beyond the closure that received it.
public final class PostgresConnection: @unchecked Sendable {
    // @unchecked Sendable: the PGconn is used by one thread at a time. `PostgresPool` hands a
    // connection to exactly one job under its lock, the job runs on a single NIOThreadPool thread
    // until it checks the connection back in, and the pool's lock orders the hand-overs. The only
    // access from another thread is `PostgresInterrupt` shutting the socket down, a syscall on the
    // descriptor (never a libpq call) guarded by the interrupt's lock.
    private var handle: OpaquePointer?
    /// Statements run in the current checkout; the first one decides whether a retry is safe.
    private var statementsInCheckout = 0
    /// Whether this checkout reuses a connection that sat idle in the pool (and may have died).
    private var isReusedInCheckout = false
    /// Set when the first statement of a checkout found a reused connection dead: nothing the
    /// caller asked for ran, so the pool may retry the whole closure once on a fresh connection.
    private(set) var diedBeforeFirstStatement = false
    /// Statements prepared on this connection (by `pipeline`), by SQL text: their names.
    private var prepared: [String: String] = [:]
    /// At most this many statements are prepared per connection; later new SQL texts are sent
    /// unnamed (the statements Otto pipelines are a few dozen constants).
    static let preparedLimit = 256

    private init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        close()
    }

    // MARK: Statements

    /// Runs one statement with text parameters (`$1`, `$2` …) in a single round trip.
    ///
    /// Parameters travel apart from the SQL (PQexecParams), so they need no escaping.
    public func query(_ sql: String, _ parameters: [any PostgresParameter] = []) throws(PostgresError) -> PostgresRows {
        let isFirst = beginStatement()
        let handle = try liveHandle()
        let result = try Self.withParameterPointers(parameters) { count, values in
            PQexecParams(handle, sql, count, nil, values, nil, nil, 0)
        }
        return try rows(from: result, isFirstStatement: isFirst)
    }

    /// Runs SQL through the simple protocol, which allows several statements separated by `;`
    /// (migrations) but no parameters.
    public func execute(_ sql: String) throws(PostgresError) {
        let isFirst = beginStatement()
        let result = PQexec(try liveHandle(), sql)
        _ = try rows(from: result, isFirstStatement: isFirst)
    }

    /// Runs `statements` in one round trip: libpq's pipeline mode sends them all and one Sync,
    /// then reads their results in order. So `BEGIN`, a setting, a statement and `COMMIT` cost
    /// one round trip instead of four.
    ///
    /// Each SQL text is prepared once per connection (its Parse travels in the same pipeline the
    /// first time) and executed by name afterwards, so the server parses and plans it once.
    /// When a statement fails, the server skips the rest up to the Sync: the first error is
    /// thrown once every result has been read, and a transaction the pipeline began is left
    /// failed (the caller, or the pool at check-in, rolls it back).
    public func pipeline(_ statements: [PostgresStatement]) throws(PostgresError) -> [PostgresRows] {
        let isFirst = beginStatement()
        let handle = try liveHandle()
        guard PQenterPipelineMode(handle) == 1 else {
            throw failure(sqlState: nil, serverMessage: errorMessage, isFirstStatement: isFirst)
        }
        enum Sent {
            case prepare(sql: String, name: String)
            case execute
        }
        var sent: [Sent] = []
        sent.reserveCapacity(statements.count * 2)
        var pending: [String: String] = [:]
        var sendFailed = false
        for statement in statements {
            var name = prepared[statement.sql] ?? pending[statement.sql]
            if name == nil, prepared.count + pending.count < Self.preparedLimit {
                let fresh = "otto_\(prepared.count + pending.count)"
                guard PQsendPrepare(handle, fresh, statement.sql, Int32(statement.parameters.count), nil) == 1 else {
                    sendFailed = true
                    break
                }
                pending[statement.sql] = fresh
                sent.append(.prepare(sql: statement.sql, name: fresh))
                name = fresh
            }
            let queued = try Self.withParameterPointers(statement.parameters) { count, values in
                if let name {
                    PQsendQueryPrepared(handle, name, count, values, nil, nil, 0)
                } else {
                    PQsendQueryParams(handle, statement.sql, count, nil, values, nil, nil, 0)
                }
            }
            guard queued == 1 else {
                sendFailed = true
                break
            }
            sent.append(.execute)
        }
        guard !sendFailed, PQpipelineSync(handle) == 1 else {
            let error = failure(sqlState: nil, serverMessage: errorMessage, isFirstStatement: isFirst)
            // The connection is mid-protocol: it must not be reused.
            close()
            throw error
        }
        var results: [PostgresRows] = []
        results.reserveCapacity(statements.count)
        var firstError: PostgresError?
        for item in sent {
            guard let result = PQgetResult(handle) else {
                let error = failure(sqlState: nil, serverMessage: errorMessage, isFirstStatement: isFirst)
                close()
                throw error
            }
            // Each command's results end with a NULL.
            while let extra = PQgetResult(handle) { PQclear(extra) }
            if PQresultStatus(result) == PGRES_PIPELINE_ABORTED {
                PQclear(result)
                continue
            }
            switch item {
            case .prepare(let sql, let name):
                if PQresultStatus(result) == PGRES_COMMAND_OK {
                    PQclear(result)
                    prepared[sql] = name
                } else {
                    do throws(PostgresError) {
                        _ = try rows(from: result, isFirstStatement: isFirst)
                    } catch {
                        firstError = firstError ?? error
                    }
                }
            case .execute:
                do throws(PostgresError) {
                    results.append(try rows(from: result, isFirstStatement: isFirst))
                } catch {
                    firstError = firstError ?? error
                }
            }
        }
        let sync = PQgetResult(handle)
        let synced = sync.map { PQresultStatus($0) == PGRES_PIPELINE_SYNC } ?? false
        if let sync { PQclear(sync) }
        guard synced, PQexitPipelineMode(handle) == 1 else {
            let error =
                firstError ?? failure(sqlState: nil, serverMessage: errorMessage, isFirstStatement: isFirst)
            close()
            throw error
        }
        if let firstError { throw firstError }
        return results
    }

    // MARK: Pool support

    /// Opens a connection without blocking past `deadline` and stops early when `interrupt` fires.
    ///
    /// Uses libpq's non-blocking connect (PQconnectStartParams + PQconnectPoll) so the wait can be
    /// bounded and interrupted; `expand_dbname` lets libpq parse the URL with every option it
    /// knows. Session settings follow in one round trip.
    static func connect(
        configuration: PostgresConfiguration,
        deadline: ContinuousClock.Instant,
        interrupt: PostgresInterrupt
    ) throws(PostgresError) -> PostgresConnection {
        // Later keywords override what the URL says, so Otto's settings always apply.
        let keywords = ["dbname", "application_name", "client_encoding"]
        let values = [configuration.url, configuration.applicationName, "UTF8"]
        let started = withCStringArray(keywords) { keywordPointers in
            withCStringArray(values) { valuePointers in
                PQconnectStartParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let started else {
            throw PostgresError(code: .connectionFailed, reason: "libpq could not allocate a connection")
        }
        let connection = PostgresConnection(handle: started)
        guard PQstatus(started) != CONNECTION_BAD else {
            throw PostgresError(
                code: .connectionFailed,
                serverMessage: connection.errorMessage,
                reason: "could not start connecting"
            )
        }
        var pollStatus = PGRES_POLLING_WRITING
        while pollStatus != PGRES_POLLING_OK {
            guard pollStatus != PGRES_POLLING_FAILED else {
                throw PostgresError(
                    code: .connectionFailed,
                    serverMessage: connection.errorMessage,
                    reason: "could not connect"
                )
            }
            try waitForSocket(
                PQsocket(started),
                events: pollStatus == PGRES_POLLING_READING ? POLLIN : POLLOUT,
                deadline: deadline,
                interrupt: interrupt
            )
            pollStatus = PQconnectPoll(started)
        }
        guard interrupt.arm(socket: PQsocket(started)) else {
            throw PostgresError(code: .timeout, reason: "interrupted while connecting")
        }
        defer { interrupt.disarm() }
        let milliseconds = max(0, configuration.statementTimeout.milliseconds)
        try connection.execute(
            "SET statement_timeout = \(milliseconds); SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; "
                + "SET bytea_output = 'hex'"
        )
        if PQserverVersion(started) >= 140_000 {
            // A cancelled or timed-out statement ends with its socket shut down (see
            // PostgresInterrupt), which a backend busy in a statement does not notice by itself: it
            // would run to the end, holding its locks. With this the server checks the client's
            // socket every second while a statement runs and stops it. Best effort: a server that
            // cannot check (not Linux) refuses the setting and the connection works as before.
            try? connection.execute("SET client_connection_check_interval = 1000")
        }
        return connection
    }

    /// The socket descriptor, for `PostgresInterrupt`; -1 when closed.
    var socket: Int32 { handle.map { PQsocket($0) } ?? -1 }

    /// Whether the server side is gone (libpq saw the socket fail).
    var isBroken: Bool { handle.map { PQstatus($0) != CONNECTION_OK } ?? true }

    /// What a returned connection needs before another checkout may use it.
    enum CheckInState {
        case clean
        case inTransaction
        case unusable
    }

    var checkInState: CheckInState {
        guard let handle, PQstatus(handle) == CONNECTION_OK else { return .unusable }
        switch PQtransactionStatus(handle) {
        case PQTRANS_IDLE: return .clean
        case PQTRANS_INTRANS, PQTRANS_INERROR: return .inTransaction
        default: return .unusable
        }
    }

    /// Cheap liveness check before reuse: an idle connection has nothing to read, so readable
    /// data means the server closed it or sent a termination notice (restart, pg_terminate_backend).
    /// Catching that here means no statement is ever sent on a connection known to be dead.
    func isUsableAfterIdle() -> Bool {
        guard let handle, PQstatus(handle) == CONNECTION_OK else { return false }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, 0)
        if ready == 0 { return true }
        guard ready > 0 else { return false }
        // Readable: EOF, a FATAL notice, or (rarely) an asynchronous notice or TLS record.
        // PQisBusy parses what arrived (a notice is consumed; EOF marks the connection bad).
        return PQconsumeInput(handle) == 1 && PQisBusy(handle) == 0 && PQstatus(handle) == CONNECTION_OK
    }

    /// Starts a checkout: resets the bookkeeping that decides whether a retry is safe.
    func beginCheckout(reused: Bool) {
        statementsInCheckout = 0
        isReusedInCheckout = reused
        diedBeforeFirstStatement = false
    }

    /// Closes the connection (PQfinish); safe to call twice.
    func close() {
        if let handle {
            PQfinish(handle)
            self.handle = nil
        }
    }

    // MARK: Private

    private var errorMessage: String? {
        guard let handle, let message = PQerrorMessage(handle) else { return nil }
        return String(cString: message)
    }

    private func liveHandle() throws(PostgresError) -> OpaquePointer {
        guard let handle else { throw PostgresError(code: .connectionLost, reason: "connection is closed") }
        return handle
    }

    private func beginStatement() -> Bool {
        statementsInCheckout += 1
        return statementsInCheckout == 1
    }

    /// Copies a result out of libpq (so no C memory escapes) and frees it; throws on any error.
    private func rows(from result: OpaquePointer?, isFirstStatement: Bool) throws(PostgresError) -> PostgresRows {
        guard let result else {
            throw failure(sqlState: nil, serverMessage: errorMessage, isFirstStatement: isFirstStatement)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            break
        case PGRES_FATAL_ERROR, PGRES_NONFATAL_ERROR, PGRES_BAD_RESPONSE:
            let sqlState = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = PQresultErrorMessage(result).map { String(cString: $0) }
            throw failure(sqlState: sqlState, serverMessage: message, isFirstStatement: isFirstStatement)
        default:
            // COPY and pipeline results need a protocol this client does not speak; the
            // connection is left mid-protocol, so it must not be reused.
            close()
            throw PostgresError(code: .queryFailed, reason: "statement needs an unsupported protocol (COPY)")
        }
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        var columns: [String] = []
        columns.reserveCapacity(columnCount)
        for column in 0..<columnCount {
            columns.append(PQfname(result, Int32(column)).map { String(cString: $0) } ?? "")
        }
        var rows: [PostgresRow] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                let (row, column) = (Int32(row), Int32(column))
                if PQgetisnull(result, row, column) == 1 {
                    values.append(nil)
                } else {
                    let bytes = UnsafeRawPointer(PQgetvalue(result, row, column)!).assumingMemoryBound(to: UInt8.self)
                    let length = Int(PQgetlength(result, row, column))
                    values.append(String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self))
                }
            }
            rows.append(PostgresRow(columns: columns, values: values))
        }
        let affected = PQcmdTuples(result).flatMap { Int(String(cString: $0)) } ?? 0
        return PostgresRows(columns: columns, rows: rows, affectedRows: affected)
    }

    private func failure(sqlState: String?, serverMessage: String?, isFirstStatement: Bool) -> PostgresError {
        if isBroken {
            if isFirstStatement && isReusedInCheckout {
                diedBeforeFirstStatement = true
            }
            return PostgresError(
                code: .connectionLost,
                sqlState: sqlState,
                serverMessage: serverMessage,
                reason: "connection to the server was lost"
            )
        }
        if sqlState == "57014" {
            return PostgresError(
                code: .timeout,
                sqlState: sqlState,
                serverMessage: serverMessage,
                reason: "statement was cancelled (statement_timeout)"
            )
        }
        return PostgresError(code: .queryFailed, sqlState: sqlState, serverMessage: serverMessage)
    }

    /// Lays the parameters' text out in one buffer of NUL-terminated strings for PQexecParams.
    private static func withParameterPointers<R>(
        _ parameters: [any PostgresParameter],
        _ body: (Int32, [UnsafePointer<CChar>?]) -> R
    ) throws(PostgresError) -> R {
        if parameters.isEmpty { return body(0, []) }
        let texts = parameters.map(\.postgresText)
        let byteCount = texts.reduce(0) { $0 + ($1.map { $0.utf8.count + 1 } ?? 0) }
        let storage = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(byteCount, 1))
        defer { storage.deallocate() }
        var pointers = [UnsafePointer<CChar>?](repeating: nil, count: texts.count)
        var offset = 0
        for (index, text) in texts.enumerated() {
            guard var text else { continue }
            let start = offset
            // Copied whole (memchr, memcpy): a byte at a time cost 20 instructions per byte of a
            // webhook's payload.
            let copied = text.withUTF8 { bytes -> Int? in
                guard let source = bytes.baseAddress, bytes.count > 0 else { return 0 }
                guard memchr(source, 0, bytes.count) == nil else { return nil }
                memcpy(storage.baseAddress! + offset, source, bytes.count)
                return bytes.count
            }
            guard let copied else {
                throw PostgresError(code: .queryFailed, reason: "parameter \(index + 1) contains a NUL character")
            }
            offset += copied
            storage[offset] = 0
            offset += 1
            pointers[index] = UnsafeRawPointer(storage.baseAddress! + start).assumingMemoryBound(to: CChar.self)
        }
        return body(Int32(texts.count), pointers)
    }

    /// Waits until the socket is ready, in short slices so an interrupt or the deadline is seen
    /// within about 50 ms.
    private static func waitForSocket(
        _ socket: Int32,
        events: Int32,
        deadline: ContinuousClock.Instant,
        interrupt: PostgresInterrupt
    ) throws(PostgresError) {
        guard socket >= 0 else { throw PostgresError(code: .connectionFailed, reason: "connection has no socket") }
        while true {
            if interrupt.reason != nil {
                throw PostgresError(code: .timeout, reason: "interrupted while connecting")
            }
            let remaining = (deadline - .now).milliseconds
            guard remaining > 0 else {
                throw PostgresError(code: .timeout, reason: "could not connect within connectTimeout")
            }
            var descriptor = pollfd(fd: socket, events: Int16(events), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(remaining, 50)))
            if ready > 0 { return }
            if ready < 0 && errno != EINTR {
                throw PostgresError(code: .connectionFailed, reason: "could not wait for the server")
            }
        }
    }
}

extension Duration {
    /// Whole milliseconds, rounded up so a tiny positive duration never becomes zero.
    fileprivate var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    }
}

/// Passes Swift strings to C as a NULL-terminated `const char *const *` array.
private func withCStringArray<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let duplicates = strings.map { strdup($0) }
    defer {
        for duplicate in duplicates { free(duplicate) }
    }
    return body(duplicates.map { $0.map { UnsafePointer($0) } } + [nil])
}
