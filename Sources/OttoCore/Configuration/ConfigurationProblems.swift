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
}
