import OttoRedis
import OttoSupport

/// A ``WorkflowJournal`` in Redis, for workflows without a database (the `otto.chain` drill)
/// and for tests: one hash per workflow, `<prefix>wf:<workflow>:<tenant or _>:<subject>`, kept
/// for seven days after its last update. Every update is one Lua script, so it is atomic.
public struct RedisWorkflowJournal: WorkflowJournal {
    /// How long a workflow's record is kept after its last update.
    public static let retention = 7 * 86_400

    let redis: RedisClient
    let keys: RedisKeys

    public init(redis: RedisClient, keys: RedisKeys) {
        self.redis = redis
        self.keys = keys
    }

    /// The hash of one workflow.
    public func key(workflow: String, subjectID: String, tenantID: String?) -> String {
        "\(keys.prefix)wf:\(workflow):\(tenantID ?? "_"):\(subjectID)"
    }

    private func key(_ ref: WorkflowStepRef) -> String {
        key(workflow: ref.workflow, subjectID: ref.subjectID, tenantID: ref.tenantID)
    }

    private static var now: String { String(UnixTime.now()) }

    public func begin(
        workflow: String, subjectID: String, tenantID: String?, steps: [String], fromStep: String,
        inputJSON: String?
    ) async throws -> Int {
        let reply = try await redis.eval(
            WorkflowScripts.begin, keys: [key(workflow: workflow, subjectID: subjectID, tenantID: tenantID)],
            arguments: [
                Self.now, String(Self.retention), fromStep, inputJSON == nil ? "0" : "1", inputJSON ?? "",
            ] + steps)
        switch reply.int {
        case .some(-1): throw WorkflowError(.unknownStep, detail: "\(workflow) has no step \(fromStep)")
        case .some(-2):
            throw WorkflowError(.missingInput, detail: "the step before \(fromStep) of \(workflow) has no output")
        case let run?: return run
        case nil: throw RedisError(code: .protocolError, serverMessage: "begin answered \(reply)")
        }
    }

    public func stepStarted(_ ref: WorkflowStepRef, attempt: Int) async throws -> Bool {
        let reply = try await redis.eval(
            WorkflowScripts.stepStarted, keys: [key(ref)],
            arguments: [String(ref.run), ref.step, String(attempt), Self.now, String(Self.retention)])
        return reply.int == 1
    }

    public func stepSucceeded(_ ref: WorkflowStepRef, attempt: Int, outputJSON: String, isLast: Bool) async throws {
        _ = try await redis.eval(
            WorkflowScripts.stepSucceeded, keys: [key(ref)],
            arguments: [String(ref.run), ref.step, outputJSON, isLast ? "1" : "0", Self.now, String(Self.retention)])
    }

    public func stepFailed(_ ref: WorkflowStepRef, attempt: Int, reason: String, final: Bool) async throws {
        _ = try await redis.eval(
            WorkflowScripts.stepFailed, keys: [key(ref)],
            arguments: [String(ref.run), ref.step, reason, final ? "1" : "0", Self.now, String(Self.retention)])
    }

    public func stepDeferred(_ ref: WorkflowStepRef, reason: String, until: Double) async throws {
        _ = try await redis.eval(
            WorkflowScripts.stepDeferred, keys: [key(ref)],
            arguments: [String(ref.run), ref.step, reason, String(until), Self.now, String(Self.retention)])
    }

    public func input(workflow: String, subjectID: String, tenantID: String?) async throws -> String? {
        try await redis.send(["HGET", key(workflow: workflow, subjectID: subjectID, tenantID: tenantID), "input"])
            .string
    }

    public func output(workflow: String, subjectID: String, tenantID: String?, step: String) async throws -> String? {
        try await redis.send([
            "HGET", key(workflow: workflow, subjectID: subjectID, tenantID: tenantID), "s.\(step).output",
        ]).string
    }

    public func status(workflow: String, subjectID: String, tenantID: String?) async throws -> WorkflowStatus? {
        let reply = try await redis.send(["HGETALL", key(workflow: workflow, subjectID: subjectID, tenantID: tenantID)])
        var fields: [String: String] = [:]
        let items = reply.array ?? []
        var index = 0
        while index + 1 < items.count {
            if let name = items[index].string, let value = items[index + 1].string { fields[name] = value }
            index += 2
        }
        guard let run = fields["run"].flatMap(Int.init), let steps = fields["steps"] else { return nil }
        let names = steps.split(separator: ",").map(String.init)
        return WorkflowStatus(
            workflow: workflow, subjectID: subjectID, run: run,
            state: fields["state"].flatMap(WorkflowStatus.State.init(rawValue:)) ?? .queued,
            steps: names.map { name in
                let field = { (suffix: String) in fields["s.\(name).\(suffix)"] }
                return WorkflowStatus.Step(
                    name: name, state: field("state").flatMap(WorkflowStatus.StepState.init(rawValue:)) ?? .pending,
                    attempts: field("attempts").flatMap(Int.init) ?? 0, error: field("error"),
                    deferredUntil: field("deferred_until").flatMap(Double.init),
                    startedAt: field("started_at").flatMap(Double.init),
                    finishedAt: field("finished_at").flatMap(Double.init))
            },
            createdAt: fields["created_at"].flatMap(Double.init) ?? 0,
            updatedAt: fields["updated_at"].flatMap(Double.init) ?? 0)
    }
}
