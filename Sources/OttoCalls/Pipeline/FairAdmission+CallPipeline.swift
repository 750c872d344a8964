import OttoRedis
import OttoTasks

extension FairAdmission {
    /// The fair admission of the call pipeline's queue: at most `tenantConcurrency` of a tenant's
    /// workflows in the stream at a time (`PIPELINE_TENANT_CONCURRENCY`).
    public static func callPipeline(redis: RedisClient, keys: RedisKeys, tenantConcurrency: Int) -> FairAdmission {
        FairAdmission(redis: redis, keys: keys, queue: CallPipelineWorkflow.queue, perTenantLimit: tenantConcurrency)
    }
}
