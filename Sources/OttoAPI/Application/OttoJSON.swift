#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The one JSON encoder of the answers and command output that OttoAPI writes itself (problem
/// bodies, webhook acknowledgements, the `tenants` commands' `--json`; the generated operations
/// encode through swift-openapi-runtime): `Encodable` values, never text put together by hand.
///
/// Keys are sorted, so the same value is always the same bytes (without it Foundation writes a
/// struct's members in hash order, which changes from run to run), and `/` is not escaped.
enum OttoJSON {
    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// `value` as a JSON document in a string (for stdout).
    static func string(_ value: some Encodable) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }
}
