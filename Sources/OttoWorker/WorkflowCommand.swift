import ArgumentParser
import OttoCalls
import OttoCore
import OttoProcessKit
import OttoRedis
import OttoSupport
import OttoTasks

/// `otto-worker workflow start|status NAME --subject ID`: starts (or restarts from a step) a
/// workflow journaled in Redis, for operators' drills (`otto.chain`), and shows a workflow's
/// state: a drill's from Redis, the call pipeline's (`call_analysis`, subject = the call's id)
/// from PostgreSQL (`DATABASE_URL`), whichever tenant it belongs to.
struct WorkflowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workflow", abstract: "Start a drill workflow or show its state.",
        subcommands: [WorkflowStartCommand.self, WorkflowStatusCommand.self])

    /// The workflows these commands know: those whose journal is in Redis.
    static let known = [ChainWorkflow.descriptor]

    static func descriptor(_ name: String) throws -> WorkflowDescriptor {
        guard let descriptor = known.first(where: { $0.name == name }) else {
            throw ValidationError("unknown workflow \(name) (known: \(known.map(\.name).joined(separator: ", ")))")
        }
        return descriptor
    }
}

struct WorkflowStartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start", abstract: "Start a workflow (or a new run of it from a step).")

    @Argument(help: "The workflow, e.g. otto.chain.") var name: String
    @Option(help: "The subject id: one workflow per subject.") var subject: String
    @Option(help: "The first step's input as a JSON object (a start from the first step reuses the stored one).")
    var input: String?
    @Option(help: "Start a new run from this step, on the stored output of the step before it.")
    var fromStep: String?
    @Flag(help: "Print the started step as one JSON document.") var json = false

    func validate() throws {
        _ = try WorkflowCommand.descriptor(name)
        guard !subject.isEmpty, subject.count <= 200 else {
            throw ValidationError("--subject must be 1 to 200 characters")
        }
        if let input, !RedisTaskQueue.isJSONObject(input) { throw ValidationError("--input must be a JSON object") }
    }

    func run() async throws {
        let context = try OperatorContext.make()
        let runtime = WorkflowRuntime.chain(redis: context.redis, keys: context.keys)
        let registry = TaskRegistry.catalog
        let engine = WorkflowEngine(runtime: runtime, workflows: WorkflowCommand.known, registry: registry)
        do {
            let descriptor = try WorkflowCommand.descriptor(name)
            try await RedisTaskQueue(redis: context.redis, keys: context.keys).ensureGroup(descriptor.queue)
            let ref = try await engine.start(
                workflow: name, subjectID: subject, tenantID: nil, inputJSON: input, fromStep: fromStep,
                traceparent: nil)
            await context.redis.close()
            if json {
                try OperatorContext.printJSON(ref)
            } else {
                print("started \(ref.workflow) for \(ref.subjectID): run \(ref.run) from \(ref.step)")
            }
        } catch {
            await context.redis.close()
            throw OperatorContext.fail(error)
        }
    }
}

struct WorkflowStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show a workflow's state.")

    @Argument(help: "The workflow: otto.chain, or call_analysis (the call pipeline; --subject is the call's id).")
    var name: String
    @Option(help: "The subject id.") var subject: String
    @Flag(help: "Print one JSON document (null when the workflow was never started).") var json = false

    func validate() throws {
        if name != CallPipelineWorkflow.name { _ = try WorkflowCommand.descriptor(name) }
    }

    func run() async throws {
        let context = try OperatorContext.make()
        let found: (status: WorkflowStatus, tenantID: String?)?
        do {
            if name == CallPipelineWorkflow.name {
                await context.redis.close()
                guard let database = context.configuration.database else {
                    StandardError.write("otto-worker: \(name) is journaled in PostgreSQL: set DATABASE_URL\n")
                    throw ExitCode.failure
                }
                let status = try await PipelineInspection.status(database, subjectID: subject, logger: context.logger)
                if json, let status {
                    try OperatorContext.printJSON(status)
                    return
                }
                found = status.map { ($0.status, $0.tenantID) }
            } else {
                let journal = RedisWorkflowJournal(redis: context.redis, keys: context.keys)
                let status = try await journal.status(workflow: name, subjectID: subject, tenantID: nil)
                await context.redis.close()
                if json, let status {
                    try OperatorContext.printJSON(status)
                    return
                }
                found = status.map { ($0, nil) }
            }
            guard let (status, tenantID) = found else {
                if json {
                    print("null")
                    return
                }
                print("\(name) was never started for \(subject)")
                throw ExitCode.failure
            }
            let tenant = tenantID.map { " tenant \($0)" } ?? ""
            print("\(status.workflow) \(status.subjectID)\(tenant): \(status.state.rawValue) (run \(status.run))")
            for step in status.steps {
                let error = step.error.map { " error=\($0)" } ?? ""
                print("  \(step.name): \(step.state.rawValue) attempts=\(step.attempts)\(error)")
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            await context.redis.close()
            throw OperatorContext.fail(error)
        }
    }
}
