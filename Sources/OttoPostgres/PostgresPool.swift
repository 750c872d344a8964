import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A fixed-size pool of libpq connections whose blocking calls run on dedicated threads (never
/// on a NIO event loop or the Swift cooperative pool).
///
/// Connections open lazily, up to `poolSize`, on a private `NIOThreadPool` with one thread per
/// connection, so a checked-out connection always has a thread. Callers that find every
/// connection busy wait without blocking a thread and are served first come, first served.
/// A connection found broken is discarded and replaced, so the pool recovers by itself after a
/// server restart. Call `shutdown()` before dropping the pool.
public final class PostgresPool: Sendable {
    enum Lease: Sendable {
        /// A connection that sat idle in the pool.
        case idle(PostgresConnection)
        /// Permission to open a new connection (a slot counted in `State.open`).
        case newConnection
    }

    private enum Checkout {
        case leased(Lease)
        case queued(id: Int)
    }

    struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<Lease, any Error>
    }

    struct State {
        let capacity: Int
        var idle: [PostgresConnection] = []
        /// Connections idle, checked out or being opened; never above `capacity`.
        var open = 0
        var waiters = CircularBuffer<Waiter>()
        var nextWaiterID = 0
        var isClosed = false
        var isThreadPoolStopping = false
        var shutdownWaiters: [CheckedContinuation<Void, Never>] = []
        /// Connections the pool has tried to open, successful or not.
        var connectAttempts = 0

        mutating func takeShutdownWaiters() -> [CheckedContinuation<Void, Never>] {
            defer { shutdownWaiters.removeAll() }
            return shutdownWaiters
        }
    }

    let configuration: PostgresConfiguration
    let logger: Logger
    private let threadPool: NIOThreadPool
    /// Runs only the timers of checkout and ping deadlines, never a blocking call.
    private let timerLoop: any EventLoop
    let state: Mutex<State>
    /// Whether a pooled connection is checked for a server-side close before reuse. Tests turn it
    /// off to exercise the retry that covers a death the check cannot see.
    let verifiesIdleConnections: Bool

    /// Creates the pool; no connection is opened until the first checkout.
    public convenience init(configuration: PostgresConfiguration, logger: Logger) {
        self.init(configuration: configuration, logger: logger, verifiesIdleConnections: true)
    }

    init(configuration: PostgresConfiguration, logger: Logger, verifiesIdleConnections: Bool) {
        let capacity = max(1, configuration.poolSize)
        self.configuration = configuration
        self.logger = logger
        self.threadPool = NIOThreadPool(numberOfThreads: capacity)
        self.timerLoop = MultiThreadedEventLoopGroup.singleton.any()
        self.state = Mutex(State(capacity: capacity))
        self.verifiesIdleConnections = verifiesIdleConnections
        threadPool.start()
    }

    deinit {
        // NIOThreadPool must not be dropped while running; idle connections close in their deinit.
        let mustStop = state.withLock { state in
            defer { state.isThreadPoolStopping = true }
            return !state.isThreadPoolStopping
        }
        if mustStop { threadPool.shutdownGracefully { _ in } }
    }

    /// Checks a connection out, runs `body` on a pool thread, checks it back in. Waits (async, no
    /// thread blocked) when all are busy.
    ///
    /// Fails with `.timeout` when no connection is available within `connectTimeout`. If the
    /// first statement finds a pooled connection dead (server restarted), `body` runs once more
    /// on a fresh connection, so keep side effects other than SQL out of it. Cancelling the task
    /// shuts the connection's socket down (the statement stops, the connection is replaced) and
    /// throws `CancellationError`.
    public func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await run(checkoutTimeout: configuration.connectTimeout, totalTimeout: nil, body)
    }

    /// BEGIN … COMMIT, ROLLBACK when body throws.
    public func transaction<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await withConnection { connection in
            try connection.execute("BEGIN")
            do {
                let value = try body(connection)
                try connection.execute("COMMIT")
                return value
            } catch {
                // The original error matters; a failed ROLLBACK leaves the connection to be discarded.
                try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Runs one statement on any free connection.
    public func query(_ sql: String, _ parameters: [any PostgresParameter] = []) async throws -> PostgresRows {
        try await withConnection { connection in try connection.query(sql, parameters) }
    }

    /// SELECT 1 within `timeout`; used by readiness (must return/throw within the timeout even if
    /// the server hangs or is down).
    ///
    /// Waiting, connecting and the statement are all bounded by `timeout`; a server that accepts
    /// the connection but never answers gets its socket shut down and the connection replaced.
    public func ping(timeout: Duration) async throws {
        _ = try await run(checkoutTimeout: min(timeout, configuration.connectTimeout), totalTimeout: timeout) {
            connection in try connection.query("SELECT 1")
        }
    }

    /// Closes all connections; later calls throw poolClosed.
    ///
    /// Waiting callers fail at once; checked-out connections are closed when their closures end
    /// (statement_timeout bounds that), then the threads stop.
    public func shutdown() async {
        let (idle, waiters) = state.withLock { state in
            state.isClosed = true
            let idle = state.idle
            state.idle.removeAll()
            state.open -= idle.count
            let waiters = Array(state.waiters)
            state.waiters.removeAll()
            return (idle, waiters)
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: PostgresError(code: .poolClosed))
        }
        if !idle.isEmpty {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                threadPool.submit { _ in
                    for connection in idle { connection.close() }
                    continuation.resume()
                }
            }
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let drained = state.withLock { state in
                if state.open > 0 { state.shutdownWaiters.append(continuation) }
                return state.open == 0
            }
            if drained { continuation.resume() }
        }
        let mustStop = state.withLock { state in
            defer { state.isThreadPoolStopping = true }
            return !state.isThreadPoolStopping
        }
        if mustStop { try? await threadPool.shutdownGracefully() }
        logger.debug("postgres pool shut down")
    }

    /// How many callers wait for a connection (for tests and metrics).
    var waitingCount: Int { state.withLock { $0.waiters.count } }

    /// How many connections are checked out or being opened (for tests and metrics).
    var connectionsInUse: Int { state.withLock { $0.open - $0.idle.count } }

    /// Connections this pool has tried to open since it was made, successful or not (for metrics
    /// and diagnostics). Connections open on demand: with the server away, each checkout that
    /// finds no live connection tries once and fails; nothing reconnects in the background.
    public var connectAttempts: Int { state.withLock { $0.connectAttempts } }

    // MARK: Checkout

    private func run<T: Sendable>(
        checkoutTimeout: Duration,
        totalTimeout: Duration?,
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        let interrupt = PostgresInterrupt()
        let checkoutDeadline = ContinuousClock.now + checkoutTimeout
        let totalTimer = totalTimeout.map { timeout in
            timerLoop.scheduleTask(in: TimeAmount(timeout)) { interrupt.interrupt(.timedOut) }
        }
        // Armed only when the checkout may take time (waiting or connecting): taking an idle
        // connection is instant, so the common path costs no timer.
        var checkoutTimer: Scheduled<Void>?
        defer {
            checkoutTimer?.cancel()
            totalTimer?.cancel()
        }
        let startCheckoutTimer = {
            self.timerLoop.scheduleTask(in: TimeAmount(checkoutTimeout)) {
                interrupt.interrupt(.timedOut, onlyWhileCheckingOut: true)
            }
        }
        return try await withTaskCancellationHandler {
            let lease: Lease
            do {
                if let immediate = try state.withLock({ state throws(PostgresError) in try Self.takeLease(&state) }) {
                    if case .newConnection = immediate { checkoutTimer = startCheckoutTimer() }
                    lease = immediate
                } else {
                    checkoutTimer = startCheckoutTimer()
                    lease = try await waitForLease(interrupt: interrupt)
                }
            } catch {
                throw Self.outcome(of: error, interrupt: interrupt)
            }
            if interrupt.reason != nil {
                giveBack(lease)
                throw Self.outcome(of: CancellationError(), interrupt: interrupt)
            }
            return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                threadPool.submit { workState in
                    guard case .active = workState else {
                        self.giveBack(lease)
                        continuation.resume(throwing: PostgresError(code: .poolClosed))
                        return
                    }
                    continuation.resume(
                        with: Result {
                            try self.runOnPoolThread(
                                lease: lease,
                                checkoutDeadline: checkoutDeadline,
                                interrupt: interrupt,
                                body
                            )
                        }
                    )
                }
            }
        } onCancel: {
            interrupt.interrupt(.cancelled)
        }
    }

    /// Queues (FIFO) until a connection or a slot is handed over, unless one is free by now.
    private func waitForLease(interrupt: PostgresInterrupt) async throws -> Lease {
        defer { interrupt.clearWaiterHook() }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Lease, any Error>) in
            let queued = state.withLock { state -> Result<Checkout, PostgresError> in
                do throws(PostgresError) {
                    if let lease = try Self.takeLease(&state) { return .success(.leased(lease)) }
                } catch {
                    return .failure(error)
                }
                let id = state.nextWaiterID
                state.nextWaiterID += 1
                state.waiters.append(Waiter(id: id, continuation: continuation))
                return .success(.queued(id: id))
            }
            switch queued {
            case .success(.leased(let lease)): continuation.resume(returning: lease)
            case .success(.queued(let id)):
                // Outside the lock: the hook runs at once if the operation is already interrupted.
                interrupt.setWaiterHook { [weak self] reason in self?.abandonWaiter(id: id, reason: reason) }
            case .failure(let error): continuation.resume(throwing: error)
            }
        }
    }

    private static func takeLease(_ state: inout State) throws(PostgresError) -> Lease? {
        if state.isClosed { throw PostgresError(code: .poolClosed) }
        if let connection = state.idle.popLast() { return .idle(connection) }
        if state.open < state.capacity {
            state.open += 1
            return .newConnection
        }
        return nil
    }

    private func abandonWaiter(id: Int, reason: PostgresInterrupt.Reason) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(
            throwing: reason == .cancelled ? CancellationError() : PostgresError(code: .timeout))
    }

    /// Returns an unused lease: the connection goes back, or the slot passes to the next waiter.
    private func giveBack(_ lease: Lease) {
        switch lease {
        case .idle(let connection): checkIn(connection)
        case .newConnection: releaseSlot()
        }
    }

    /// Hands a healthy connection to the first waiter, or parks it.
    func checkIn(_ connection: PostgresConnection) {
        enum Next {
            case park
            case handOver(Waiter)
            case close([CheckedContinuation<Void, Never>])
        }
        let next = state.withLock { state -> Next in
            if state.isClosed {
                state.open -= 1
                return .close(state.open == 0 ? state.takeShutdownWaiters() : [])
            }
            if !state.waiters.isEmpty { return .handOver(state.waiters.removeFirst()) }
            state.idle.append(connection)
            return .park
        }
        switch next {
        case .park: break
        case .handOver(let waiter): waiter.continuation.resume(returning: .idle(connection))
        case .close(let shutdownWaiters):
            threadPool.submit { _ in connection.close() }
            for waiter in shutdownWaiters { waiter.resume() }
        }
    }

    /// Frees a slot whose connection was closed or never opened; a waiter may open a new one.
    func releaseSlot() {
        let (waiter, shutdownWaiters) = state.withLock { state -> (Waiter?, [CheckedContinuation<Void, Never>]) in
            if state.isClosed || state.waiters.isEmpty {
                state.open -= 1
                return (nil, state.isClosed && state.open == 0 ? state.takeShutdownWaiters() : [])
            }
            // The slot passes straight to the first waiter, so `open` stays the same.
            return (state.waiters.removeFirst(), [])
        }
        waiter?.continuation.resume(returning: .newConnection)
        for shutdownWaiter in shutdownWaiters { shutdownWaiter.resume() }
    }
}
