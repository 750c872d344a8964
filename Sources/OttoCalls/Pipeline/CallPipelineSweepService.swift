import Logging
import OttoPostgres
import OttoRedis
import OttoSupport
import OttoTasks
import ServiceLifecycle

/// The pipeline's no-loss sweep in otto-worker: PostgreSQL is the source of truth, so a
/// workflow that is queued or running in its journal but has not moved for `stale` (its task
/// lost with a Redis that restarted empty, a dispatch that failed after the commit, a run begun
/// while the API ran tasks in-process) is resumed at its first unfinished step. A workflow that
/// holds or waits for its tenant's slot is left alone (it is moving, only slowly). One worker
/// sweeps at a time (a Redis lock for the interval).
public struct CallPipelineSweepService: Service {
    public static let defaultStale: Duration = .seconds(600)
    static let batchSize = 200

    let pool: PostgresPool
    let redis: RedisClient
    let keys: RedisKeys
    let engine: WorkflowEngine
    /// The swept workflow: its admission holder is the one its steps hold.
    let workflow: WorkflowDescriptor
    let admission: FairAdmission
    let stale: Duration
    let interval: Duration
    let logger: Logger

    public init(
        pool: PostgresPool, redis: RedisClient, keys: RedisKeys, engine: WorkflowEngine, workflow: WorkflowDescriptor,
        admission: FairAdmission, stale: Duration = CallPipelineSweepService.defaultStale, logger: Logger
    ) {
        self.pool = pool
        self.redis = redis
        self.keys = keys
        self.engine = engine
        self.workflow = workflow
        self.admission = admission
        self.stale = stale
        self.interval = .seconds(min(60, max(1, Int(stale.inSeconds) / 5)))
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let resumed = try await sweepOnce()
                if resumed > 0 {
                    logger.warning("call pipeline sweep resumed stalled workflows", metadata: ["resumed": "\(resumed)"])
                }
            } catch {
                logger.warning("call pipeline sweep failed; it runs again", metadata: ["error": "\(error)"])
            }
            await sleepUnlessShuttingDown(for: interval)
        }
    }

    /// One pass: resumes the overdue workflows no admission tracks; returns how many.
    public func sweepOnce() async throws -> Int {
        let lock = keys.prefix + "pipeline:sweep:lock"
        let seconds = String(max(1, Int(interval.inSeconds)))
        guard try await redis.send(["SET", lock, "1", "NX", "EX", seconds]).string == "OK" else { return 0 }
        var resumed = 0
        let overdue = try await WorkflowMaintenance.overdue(pool, olderThan: stale, limit: Self.batchSize)
        for stalled in overdue where stalled.workflow == workflow.name {
            let holder = workflow.holder(subjectID: stalled.subjectID)
            if try await admission.tracks(tenant: stalled.tenantID, holder: holder) { continue }
            if try await engine.resume(
                workflow: stalled.workflow, subjectID: stalled.subjectID, tenantID: stalled.tenantID) != nil
            {
                resumed += 1
            }
        }
        return resumed
    }
}
