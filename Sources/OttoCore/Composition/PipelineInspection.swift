import Logging
import OttoCalls
import OttoPostgres
import OttoProcessKit
import OttoRedis
import OttoSupport
import OttoTasks

/// What the operator tools read of the call pipeline (`otto-worker inspect`, `workflow status`):
/// Redis for the admission and the limits, PostgreSQL (when configured) for the workflows.
public enum PipelineInspection {
    /// The pipeline's snapshot. PostgreSQL not configured or not answering leaves `workflows`
    /// nil and says why in `workflowsProblem` (Redis' state is still worth showing).
    public static func snapshot(
        _ configuration: OperatorConfiguration, redis: RedisClient, keys: RedisKeys, logger: Logger
    ) async throws -> PipelineSnapshot {
        let pipeline = configuration.pipeline
        let admission = FairAdmission.callPipeline(
            redis: redis, keys: keys, tenantConcurrency: pipeline.tenantConcurrency)
        let backlogs = try await admission.snapshot()
        var limits: [OutboundLimitSnapshot] = []
        for limit in CallPipelineServices.limits(pipeline, redis: redis, keys: keys).all {
            limits.append(try await limit.snapshot())
        }
        var workflows: WorkflowOverview?
        var problem: String?
        if let database = configuration.database {
            let pool = Self.pool(database, logger: logger)
            do {
                workflows = try await WorkflowMaintenance.overview(pool, workflow: CallPipelineWorkflow.name)
            } catch {
                problem = "PostgreSQL did not answer (\(error))"
            }
            await pool.shutdown()
        } else {
            problem = "DATABASE_URL is not set: workflows left out"
        }
        return PipelineSnapshot(workflows: workflows, workflowsProblem: problem, backlogs: backlogs, limits: limits)
    }

    /// One call pipeline workflow by its subject (the call's id), across tenants.
    public static func status(_ database: DatabaseConfiguration, subjectID: String, logger: Logger) async throws
        -> TenantWorkflowStatus?
    {
        let pool = Self.pool(database, logger: logger)
        do {
            let status = try await WorkflowMaintenance.status(
                pool, workflow: CallPipelineWorkflow.name, subjectID: subjectID)
            await pool.shutdown()
            return status
        } catch {
            await pool.shutdown()
            throw error
        }
    }

    /// A one-connection pool that gives up after 5 s: a tool's, not a server's.
    private static func pool(_ database: DatabaseConfiguration, logger: Logger) -> PostgresPool {
        PostgresPool(
            configuration: PostgresConfiguration(url: database.url.value, poolSize: 1, connectTimeout: .seconds(5)),
            logger: logger)
    }
}
