/// The arguments of a step's task: which step of which run, and its input as JSON text (the
/// previous step's output, or the workflow's input for its first step).
public struct WorkflowMessage: Codable, Sendable, Equatable {
    public var ref: WorkflowStepRef
    public var input: String

    public init(ref: WorkflowStepRef, input: String) {
        self.ref = ref
        self.input = input
    }
}
