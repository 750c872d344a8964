#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A chain of steps whose types line up: each step's output is the next one's input. Built with
/// ``init(name:queue:first:)`` and ``then(_:)``; registered with
/// ``TaskRegistry/register(_:runtime:)`` and started with ``WorkflowEngine``.
///
/// ```swift
/// let pipeline = Workflow(name: "call_analysis", first: FetchStep(...))
///     .then(TranscribeStep(...))
///     .then(AnalyseStep(...))
/// ```
public struct Workflow<Input: Codable & Sendable, Output: Codable & Sendable>: Sendable {
    public let name: String
    public let queue: String
    let steps: [WorkflowStepEntry]

    public init<S: WorkflowStep>(name: String, queue: String = "default", first: S)
    where S.Input == Input, S.Output == Output {
        self.name = name
        self.queue = queue
        self.steps = [WorkflowStepEntry(first)]
    }

    private init(name: String, queue: String, steps: [WorkflowStepEntry]) {
        self.name = name
        self.queue = queue
        self.steps = steps
    }

    /// The workflow with `next` run after its last step, on that step's output.
    public func then<S: WorkflowStep>(_ next: S) -> Workflow<Input, S.Output> where S.Input == Output {
        precondition(!stepNames.contains(S.name), "workflow \(name) already has a step \(S.name)")
        return Workflow<Input, S.Output>(name: name, queue: queue, steps: steps + [WorkflowStepEntry(next)])
    }

    public var stepNames: [String] { steps.map(\.name) }

    public var descriptor: WorkflowDescriptor { WorkflowDescriptor(name: name, queue: queue, stepNames: stepNames) }
}

/// One step without its types: JSON in, JSON out.
struct WorkflowStepEntry: Sendable {
    var name: String
    var retryPolicy: RetryPolicy
    var timeLimit: Duration
    var run: @Sendable (String, WorkflowContext) async throws -> String

    init<S: WorkflowStep>(_ step: S) {
        name = S.name
        retryPolicy = S.retryPolicy
        timeLimit = S.timeLimit
        run = { inputJSON, context in
            let input: S.Input
            do {
                input = try JSONDecoder().decode(S.Input.self, from: Data(inputJSON.utf8))
            } catch {
                throw TaskError(.invalidArguments, detail: "input does not match \(context.ref.workflow).\(S.name)")
            }
            let output = try await step.run(input, context: context)
            return try TaskJSON.encode(output)
        }
    }
}
