import Logging
import ServiceLifecycle

/// Runs ``FairAdmission/rebalance()`` every `interval` until graceful shutdown, so the slots of
/// workflows whose worker died (and never released) go to the waiting ones once their lease
/// expires. Any number of processes may run it: each pass is one script per waiting tenant.
public struct FairAdmissionService: Service {
    let admission: FairAdmission
    let interval: Duration
    let logger: Logger

    public init(admission: FairAdmission, interval: Duration = .seconds(5), logger: Logger) {
        self.admission = admission
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        var failing = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let admitted = try await admission.rebalance()
                if admitted > 0 {
                    logger.info(
                        "fair admission rebalanced",
                        metadata: ["queue": .string(admission.queue), "admitted": .stringConvertible(admitted)])
                }
                if failing {
                    logger.info("fair admission rebalancing restored", metadata: ["queue": .string(admission.queue)])
                    failing = false
                }
            } catch {
                if !failing {
                    logger.warning(
                        "fair admission not rebalanced; retrying",
                        metadata: ["queue": .string(admission.queue), "error": "\(error)"])
                    failing = true
                }
            }
            await sleepUnlessShuttingDown(for: interval)
        }
    }
}
