import Configuration
import OttoSupport

/// Reads environment-variable-named keys (`DATABASE_URL`) from a ``ConfigReader`` and collects
/// every problem, so a configuration type reports all of its problems at once.
///
/// An empty or all-white-space value counts as unset; the secret variables
/// (``ConfigurationSource/secretVariables``) are read as secrets, so no access log prints them.
package struct ConfigValues {
    package let reader: ConfigReader
    package private(set) var problems: [ConfigurationError.Problem] = []

    package init(_ reader: ConfigReader) {
        self.reader = reader
    }

    /// The value of `variable`; nil when unset or empty.
    package func raw(_ variable: String) -> String? {
        let key = ConfigKey(variable.lowercased().split(separator: "_").map(String.init))
        let value = reader.string(
            forKey: key, isSecret: ConfigurationSource.secretVariables.contains(variable))
        guard let value, !value.allSatisfy(\.isWhitespace) else { return nil }
        return value
    }

    package mutating func problem(_ variable: String, _ message: String) {
        problems.append(.init(variable: variable, message: message))
    }

    /// The value of `variable`, or a problem saying it is required `reason`.
    package mutating func require(_ variable: String, because reason: String) -> String? {
        guard let value = raw(variable) else {
            problem(variable, "is required \(reason)")
            return nil
        }
        return value
    }

    /// The value of `variable`: required when `reason` is given (`when APP_ENV=production`), optional otherwise.
    package mutating func value(_ variable: String, requiredBecause reason: String?) -> String? {
        guard let reason else { return raw(variable) }
        return require(variable, because: reason)
    }

    /// A secret, required when `reason` is given.
    package mutating func secret(_ variable: String, requiredBecause reason: String?) -> Secret? {
        value(variable, requiredBecause: reason).map(Secret.init)
    }

    package mutating func bool(_ variable: String, default defaultValue: Bool) -> Bool {
        guard let text = raw(variable) else { return defaultValue }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default:
            problem(variable, "must be true or false")
            return defaultValue
        }
    }

    package mutating func integer(_ variable: String, default defaultValue: Int, range: ClosedRange<Int>) -> Int {
        guard let text = raw(variable) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            problem(variable, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            return defaultValue
        }
        return value
    }

    /// Throws the problems found so far, if any.
    package func finish() throws(ConfigurationProblems) {
        guard problems.isEmpty else { throw ConfigurationProblems(problems) }
    }
}
