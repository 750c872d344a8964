/// Why the database refused a webhook delivery for a reason that retrying cannot fix; any other
/// failure of ``WebhookEventStore/insert(tenantID:provider:providerCallID:eventKind:bodySHA256:payloadJSON:)``
/// is transient (the provider should retry).
public struct WebhookEventRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was refused, as an extensible set of values.
    public struct Code: Sendable, Hashable {
        let raw: String
        /// The path's tenant does not exist (the insert's foreign key, SQLSTATE 23503).
        public static let unknownTenant = Code(raw: "unknown tenant")
        /// The body holds a value the database cannot store (a data exception, SQLSTATE class 22).
        public static let unstorableValue = Code(raw: "unstorable value")
    }

    /// What was refused.
    public var code: Code

    /// A refusal of `code`.
    public init(code: Code) {
        self.code = code
    }

    public var description: String { "webhook event refused: \(code.raw)" }
}
