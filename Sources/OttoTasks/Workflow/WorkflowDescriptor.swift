/// A workflow without its types: what the engine needs to start, dispatch and resume it by name.
public struct WorkflowDescriptor: Sendable, Equatable {
    public var name: String
    public var queue: String
    /// In order.
    public var stepNames: [String]

    public init(name: String, queue: String, stepNames: [String]) {
        self.name = name
        self.queue = queue
        self.stepNames = stepNames
    }

    /// The task name of a step: `<workflow>.<step>`.
    public func taskName(_ step: String) -> String { "\(name).\(step)" }

    /// The de-duplication key of a step's dispatch in a run, so it is enqueued at most once per run.
    public func dedupKey(subjectID: String, run: Int, step: String) -> String {
        "workflow:\(name):\(subjectID):\(run):\(step)"
    }

    /// The admission holder of one workflow: `<workflow>:<subject>`.
    public func holder(subjectID: String) -> String { "\(name):\(subjectID)" }

    /// The step after `step`, or nil after the last.
    func step(after step: String) -> String? {
        guard let index = stepNames.firstIndex(of: step), index + 1 < stepNames.count else { return nil }
        return stepNames[index + 1]
    }

    /// The step before `step`, or nil for the first.
    func step(before step: String) -> String? {
        guard let index = stepNames.firstIndex(of: step), index > 0 else { return nil }
        return stepNames[index - 1]
    }
}

/// The admission tenant of a workflow: its tenant id, `_` when it has none.
func admissionTenant(_ tenantID: String?) -> String { tenantID ?? "_" }
