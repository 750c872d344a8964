#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// JSON helpers for task arguments and results.
enum TaskJSON {
    static func encode(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    /// Whether `text` is a JSON object (what `--args` must be).
    static func isObject(_ text: String) -> Bool {
        guard case .object = JSONValue.parse(text) else { return false }
        return true
    }
}
