import Crypto

/// One schema change, shipped inside the binary so a static executable carries its own schema
/// (no resource bundle to copy into the image, and no Foundation `Bundle` with its ICU weight).
public struct Migration: Sendable, Equatable {
    public var version: Int
    public var name: String
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// SHA-256 of the SQL text; a changed, already-applied migration is refused.
    public var checksum: String {
        SHA256.hash(data: Array(sql.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
