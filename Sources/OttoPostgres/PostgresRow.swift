/// One result row, as the server's text for each column.
///
/// The decoders are `@inlinable` so that each reader specializes them for its types: across
/// the module boundary they ran generic, 2,900 instructions a row of a page of calls.
///
/// Rows of one result share their column names (copy-on-write), so a row costs one array of
/// values.
public struct PostgresRow: Sendable {
    /// The result's column names, shared by all its rows.
    public let columns: [String]
    /// The text of each column in `columns` order; `nil` is SQL NULL.
    public let values: [String?]

    /// Creates a row; `values` must line up with `columns`.
    public init(columns: [String], values: [String?]) {
        precondition(columns.count == values.count, "a row needs one value per column")
        self.columns = columns
        self.values = values
    }

    /// The raw text of `column`; `nil` for SQL NULL or an unknown column.
    public subscript(column: String) -> String? {
        guard let index = columns.firstIndex(of: column) else { return nil }
        return values[index]
    }

    /// Decodes a column that must not be NULL; a missing column or NULL is a decoding error, so
    /// a schema drift surfaces at the read instead of as a default value.
    @inlinable
    public func decode<T: PostgresDecodable>(_ type: T.Type, _ column: String) throws(PostgresError) -> T {
        guard let text = try decode(T?.self, column) else {
            throw PostgresError(code: .decoding, reason: "column \(column) is NULL")
        }
        return text
    }

    /// Decodes a nullable column: NULL becomes `nil`; a missing column still throws.
    @inlinable
    public func decode<T: PostgresDecodable>(_ type: T?.Type, _ column: String) throws(PostgresError) -> T? {
        guard let index = columns.firstIndex(of: column) else {
            throw PostgresError(code: .decoding, reason: "no column named \(column)")
        }
        guard let text = values[index] else { return nil }
        do {
            return try T(postgresText: text)
        } catch {
            var error = error
            error.reason = "column \(column): \(error.reason ?? "cannot be decoded")"
            throw error
        }
    }
}
