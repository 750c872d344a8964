import Foundation
import Logging
import OttoPostgres

@testable import OttoCalls
@testable import OttoTasks

/// Calls and rows the pipeline's store tests start from.
enum PipelineTestSupport {
    /// A new call of `tenant` (its id).
    static func call(_ pool: PostgresPool, tenant: String, sid: String = "CA-\(UUID().uuidString)") async throws
        -> String
    {
        try await CallStore(pool: pool).upsert(tenantID: tenant, CallUpdate(provider: .twilio, providerCallID: sid))
    }

    /// `SELECT count(*) AS n …` in the tenant's scope.
    static func count(_ pool: PostgresPool, tenant: String, _ sql: String, _ parameters: [any PostgresParameter] = [])
        async throws -> Int
    {
        try await TenantScope.transaction(pool, tenantID: tenant) { connection in
            try connection.query(sql, parameters).first!.decode(Int.self, "n")
        }
    }

    /// One row of the tenant's scope, as text by column.
    static func row(_ pool: PostgresPool, tenant: String, _ sql: String, _ parameters: [any PostgresParameter] = [])
        async throws -> PostgresRow?
    {
        try await TenantScope.transaction(pool, tenantID: tenant) { connection in
            try connection.query(sql, parameters).first
        }
    }

    static func context() -> TaskContext {
        let envelope = TaskEnvelope(
            id: UUID().uuidString.lowercased(), name: ProcessWebhookEventTask.name, arguments: "{}", queue: "default",
            attempt: 1, maxAttempts: 1, enqueuedAt: 0, dueAt: 0, tenantID: nil, dedupKey: nil, traceparent: nil,
            timeLimit: 300, resultTTL: nil, lastError: nil)
        return TaskContext(envelope: envelope, logger: Logger(label: "otto.tests.pipeline"))
    }
}
