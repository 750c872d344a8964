/// The outcome of one statement: its rows (for queries) and the count the server reported.
public struct PostgresRows: Sendable, Sequence {
    /// Column names in result order (empty for statements that return no rows).
    public var columns: [String]
    /// The rows, already copied out of libpq's result so no C memory outlives the call.
    public var rows: [PostgresRow]
    /// Rows inserted, updated, deleted or returned, as the server's command tag says (0 if none).
    public var affectedRows: Int

    /// Creates a result.
    public init(columns: [String] = [], rows: [PostgresRow] = [], affectedRows: Int = 0) {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
    }

    public func makeIterator() -> IndexingIterator<[PostgresRow]> { rows.makeIterator() }

    /// The first row, for single-row queries.
    public var first: PostgresRow? { rows.first }
    /// How many rows came back.
    public var count: Int { rows.count }
    /// Whether no row came back.
    public var isEmpty: Bool { rows.isEmpty }
    public var underestimatedCount: Int { rows.count }
}
