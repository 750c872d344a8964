/// The problems one configuration type found in its keys (a per-concern type's `init(config:)`
/// throws it; the process configuration gathers every concern's into one ``ConfigurationError``).
public struct ConfigurationProblems: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [ConfigurationError.Problem]

    public init(_ problems: [ConfigurationError.Problem]) {
        self.problems = problems
    }

    /// The variables named by the problems, in order.
    public var variables: [String] { problems.map(\.variable) }

    public var description: String { problems.map(\.description).joined(separator: "; ") }

    /// What `read` makes or, when it finds problems, `fallback`, with the problems appended to
    /// `problems`: how one configuration type reads a nested concern and goes on collecting.
    public static func collect<T>(
        into problems: inout [ConfigurationError.Problem], fallback: T, _ read: () throws(ConfigurationProblems) -> T
    ) -> T {
        do {
            return try read()
        } catch {
            problems += error.problems
            return fallback
        }
    }
}
