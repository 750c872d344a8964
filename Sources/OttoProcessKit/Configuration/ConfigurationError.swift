/// Every configuration problem found, reported at once so an operator fixes them in one pass.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One problem: the variable and what is wrong with it, never its value.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var variable: String
        public var message: String
        public init(variable: String, message: String) {
            self.variable = variable
            self.message = message
        }
        public var description: String { "\(variable): \(message)" }
    }

    public var process: OttoProcess
    public var environment: String
    public var problems: [Problem]

    public init(process: OttoProcess, environment: String, problems: [Problem]) {
        self.process = process
        self.environment = environment
        self.problems = problems
    }

    /// The variables named by the problems, in order.
    public var variables: [String] { problems.map(\.variable) }

    public var description: String {
        let header =
            "otto-\(process.rawValue): invalid configuration for APP_ENV=\(environment) (\(problems.count) problem\(problems.count == 1 ? "" : "s"))"
        return ([header] + problems.map { "  - \($0)" }).joined(separator: "\n")
    }
}
