/// Why migrations were refused.
public struct MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Sendable, Hashable {
        let raw: String
        /// An applied migration's SQL differs from the shipped one.
        public static let checksumMismatch = Code(raw: "checksum mismatch")
        /// The database has a migration this binary does not know (a newer release ran).
        public static let unknownVersion = Code(raw: "unknown applied version")
    }
    public var code: Code
    public var version: Int
    public var name: String

    public var description: String {
        "migration \(version) (\(name)): \(code.raw)"
    }
}
