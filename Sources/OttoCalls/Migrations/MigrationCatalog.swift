import OttoPostgres

/// The ordered list of Otto's migrations. Append only: never edit one that has shipped.
public enum MigrationCatalog {
    public static let all: [Migration] = [
        tenants,
        idempotencyKeys,
        calls,
        tenantCallRail,
        webhookRecovery,
        callPipeline,
        workflowFailures,
        usageByDay,
        webhookEventsByCall,
    ]
}
