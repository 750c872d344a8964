/// Every problem found in a Redis URL, each a short phrase that never quotes the URL or
/// its password, so the whole list can go to logs and `check-config` output as it is.
public struct RedisEndpointError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One phrase per problem, in the order they were found.
    public var problems: [String]

    /// Wraps a non-empty list of problems.
    public init(problems: [String]) {
        self.problems = problems
    }

    public var description: String {
        "invalid Redis URL: " + problems.joined(separator: "; ")
    }
}
