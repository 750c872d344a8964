import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The pool's blocking side: everything here runs on a pool thread (connecting, the caller's
/// closure, cleaning up, one retry), never on an event loop or the cooperative pool.
extension PostgresPool {
    /// Everything that blocks: connecting, the caller's closure, cleaning up, one retry.
    func runOnPoolThread<T>(
        lease: Lease,
        checkoutDeadline: ContinuousClock.Instant,
        interrupt: PostgresInterrupt,
        _ body: (PostgresConnection) throws -> T
    ) throws -> T {
        var connection: PostgresConnection
        var reused: Bool
        do {
            switch lease {
            case .idle(let pooled) where !verifiesIdleConnections || pooled.isUsableAfterIdle():
                (connection, reused) = (pooled, true)
            case .idle(let pooled):
                logger.debug("postgres connection died while idle; replacing it")
                pooled.close()
                (connection, reused) = (try open(deadline: checkoutDeadline, interrupt: interrupt), false)
            case .newConnection:
                (connection, reused) = (try open(deadline: checkoutDeadline, interrupt: interrupt), false)
            }
        } catch {
            releaseSlot()
            throw Self.outcome(of: error, interrupt: interrupt)
        }
        guard interrupt.finishCheckout() else {
            checkIn(connection)
            throw Self.outcome(of: CancellationError(), interrupt: interrupt)
        }
        var hasRetried = false
        while true {
            connection.beginCheckout(reused: reused)
            guard interrupt.arm(socket: connection.socket) else {
                finish(connection)
                throw Self.outcome(of: CancellationError(), interrupt: interrupt)
            }
            do {
                let value = try body(connection)
                interrupt.disarm()
                finish(connection)
                return value
            } catch {
                interrupt.disarm()
                guard connection.diedBeforeFirstStatement, !hasRetried, interrupt.reason == nil else {
                    finish(connection)
                    throw Self.outcome(of: error, interrupt: interrupt)
                }
                // Nothing ran: the pooled connection was already dead (server restart, killed
                // backend). Run the closure once more on a fresh connection in the same slot.
                hasRetried = true
                logger.debug("postgres connection was dead at first use; retrying on a new one")
                connection.close()
                do {
                    connection = try open(deadline: .now + configuration.connectTimeout, interrupt: interrupt)
                    reused = false
                } catch {
                    releaseSlot()
                    throw Self.outcome(of: error, interrupt: interrupt)
                }
            }
        }
    }

    func open(deadline: ContinuousClock.Instant, interrupt: PostgresInterrupt) throws(PostgresError)
        -> PostgresConnection
    {
        state.withLock { $0.connectAttempts += 1 }
        do {
            let connection = try PostgresConnection.connect(
                configuration: configuration,
                deadline: deadline,
                interrupt: interrupt
            )
            logger.debug("postgres connection opened")
            return connection
        } catch {
            logger.debug(
                "postgres connection failed",
                metadata: [
                    "error": "\(error)", "reason": "\(error.reason ?? "")",
                    "server_message": "\(error.serverMessage ?? "")",
                ]
            )
            throw error
        }
    }

    /// Returns a connection after use: a transaction left open is rolled back, a broken
    /// connection is closed and its slot freed.
    func finish(_ connection: PostgresConnection) {
        switch connection.checkInState {
        case .clean:
            checkIn(connection)
            return
        case .inTransaction:
            if (try? connection.execute("ROLLBACK")) != nil, connection.checkInState == .clean {
                checkIn(connection)
                return
            }
        case .unusable:
            break
        }
        logger.debug("postgres connection discarded")
        connection.close()
        releaseSlot()
    }

    /// What the caller sees: an interrupt explains any error that followed it.
    static func outcome(of error: any Error, interrupt: PostgresInterrupt) -> any Error {
        switch interrupt.reason {
        case .cancelled?: CancellationError()
        case .timedOut?: PostgresError(code: .timeout, reason: "deadline passed")
        case nil: error
        }
    }
}
