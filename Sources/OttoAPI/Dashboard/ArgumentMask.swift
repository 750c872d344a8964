import OttoTasks

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Task arguments as the dashboard shows them: every value under a key that looks like a
/// secret (its name contains token, secret, key, password or authorization, in any case) is
/// replaced by `"***"`, at any depth. Arguments that are not JSON are not shown at all (they
/// could be anything).
enum ArgumentMask {
    static let masked = "***"
    static let secretWords = ["token", "secret", "key", "password", "authorization"]

    /// `arguments` (a JSON text) with its secret-looking values masked, as compact JSON.
    static func mask(_ arguments: String) -> String {
        guard let value = JSONValue.parse(arguments) else {
            return "(not JSON: hidden)"
        }
        let maskedValue = mask(value)
        guard let bytes = try? OttoJSON.encode(maskedValue) else { return "(hidden)" }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func mask(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let fields):
            var result: [String: JSONValue] = [:]
            for (name, field) in fields {
                result[name] = isSecret(name) ? .string(masked) : mask(field)
            }
            return .object(result)
        case .array(let items): return .array(items.map(mask))
        default: return value
        }
    }

    static func isSecret(_ name: String) -> Bool {
        let lower = name.lowercased()
        return secretWords.contains { lower.contains($0) }
    }
}
