/// Why ``PostgresWorkflowJournal`` refused a call before touching the database.
public struct WorkflowJournalError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// The workflow names no tenant: the PostgreSQL journal keeps every workflow under a
        /// tenant's row-level security.
        case missingTenant = "missing tenant"
        /// The tenant id is not a UUID.
        case invalidTenant = "invalid tenant"
    }

    public var code: Code
    public var detail: String

    public init(_ code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(code.rawValue): \(detail)" }
}
