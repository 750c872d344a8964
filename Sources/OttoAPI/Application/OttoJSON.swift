#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The one JSON encoder of the answers and command output that OttoAPI writes itself (the
/// generated operations encode through swift-openapi-runtime): `Encodable` values, never text
/// put together by hand.
enum OttoJSON {
    enum Format: Sendable {
        /// Keys sorted, `/` unescaped: webhook acknowledgements and the `tenants` commands' `--json`.
        case sorted
        /// Members in declaration order, `/` escaped as `\/`: problem bodies, as they have always
        /// been written (`type`, `title`, `status`, `detail`, `request_id`).
        case declared
    }

    static func encode(_ value: some Encodable, format: Format = .sorted) throws -> [UInt8] {
        let encoder = JSONEncoder()
        switch format {
        case .sorted: encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        case .declared: encoder.outputFormatting = []
        }
        return Array(try encoder.encode(value))
    }

    /// `value` as a JSON document in a string (for stdout).
    static func string(_ value: some Encodable, format: Format = .sorted) throws -> String {
        String(decoding: try encode(value, format: format), as: UTF8.self)
    }
}
