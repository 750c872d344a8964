/// One statement of a pipeline (``PostgresConnection/pipeline(_:)``): SQL with `$1`, `$2` …
/// and its text parameters.
public struct PostgresStatement: Sendable {
    public var sql: String
    public var parameters: [any PostgresParameter]

    public init(_ sql: String, _ parameters: [any PostgresParameter] = []) {
        self.sql = sql
        self.parameters = parameters
    }
}
