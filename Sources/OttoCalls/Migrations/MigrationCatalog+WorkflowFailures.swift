import OttoPostgres

extension MigrationCatalog {
    /// The failed workflows by the time they failed, for operators (`otto-worker inspect`): a
    /// partial index, so workflows that succeed never enter it and its reads never scan the table.
    static let workflowFailures = Migration(
        version: 7, name: "workflow_failures",
        sql: """
            CREATE INDEX workflows_failed ON workflows (finished_at) WHERE state = 'failed';
            """)
}
