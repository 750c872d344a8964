import Logging
import OttoSupport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The task of one step: journals the step, runs it, and hands its output to the next step.
///
/// A delivery whose step already succeeded in the current run (the worker died after the
/// journal write and before the acknowledgement or the next enqueue) continues the chain from
/// the stored output; the next step's de-duplication key keeps it from being enqueued twice.
/// A delivery of a superseded run does nothing.
struct WorkflowStepTask: Sendable {
    /// How long a step waits when its journal cannot be written (its database is down).
    static let journalDelay: Duration = .seconds(3)

    /// The result (JSON) of a delivery that did nothing because its run was superseded.
    static let superseded = #""superseded""#

    let descriptor: WorkflowDescriptor
    let steps: [WorkflowStepEntry]
    let index: Int
    let runtime: WorkflowRuntime

    var step: WorkflowStepEntry { steps[index] }
    var isLast: Bool { index == steps.count - 1 }

    func run(_ argumentsJSON: String, context task: TaskContext) async throws -> String {
        let message: WorkflowMessage
        do {
            message = try JSONDecoder().decode(WorkflowMessage.self, from: Data(argumentsJSON.utf8))
        } catch {
            throw TaskError(.invalidArguments, detail: "arguments are not a workflow message")
        }
        let ref = message.ref
        guard ref.workflow == descriptor.name, ref.step == step.name else {
            throw TaskError(.invalidArguments, detail: "message of \(ref.workflow).\(ref.step)")
        }
        let journal = runtime.journal
        let context = WorkflowContext(ref: ref, task: task)
        guard try await journaled({ try await journal.stepStarted(ref, attempt: task.attempt) }) else {
            let status = try await journaled {
                try await journal.status(workflow: ref.workflow, subjectID: ref.subjectID, tenantID: ref.tenantID)
            }
            let current = status?.steps.first { $0.name == ref.step }
            guard let status, status.run == ref.run, current?.state == .succeeded else {
                context.logger.info("workflow step skipped: its run was superseded")
                return Self.superseded
            }
            let output = try await journaled {
                try await journal.output(
                    workflow: ref.workflow, subjectID: ref.subjectID, tenantID: ref.tenantID, step: ref.step)
            }
            guard let output else { return Self.superseded }
            try await proceed(ref, output: output, traceparent: task.envelope.traceparent)
            return output
        }
        let output: String
        do {
            let run = step.run
            let input = message.input
            output = try await Self.withinLimit(task.envelope.timeLimit) { try await run(input, context) }
        } catch is CancellationError {
            throw CancellationError()
        } catch let deferral as TaskDeferral where task.canDefer {
            let until = UnixTime.now() + min(deferral.delay.inSeconds, RetryPolicy.ceiling.inSeconds)
            try await journaled { try await journal.stepDeferred(ref, reason: deferral.reason, until: until) }
            throw deferral
        } catch {
            let permanent = (error as? TaskError)?.code == .invalidArguments
            let final = permanent || !task.willRetryOnFailure
            try await journaled {
                try await journal.stepFailed(ref, attempt: task.attempt, reason: "\(error)", final: final)
            }
            if final {
                try await runtime.admission.release(
                    tenant: admissionTenant(ref.tenantID), holder: descriptor.holder(subjectID: ref.subjectID))
            }
            throw error
        }
        try await journaled {
            try await journal.stepSucceeded(ref, attempt: task.attempt, outputJSON: output, isLast: isLast)
        }
        try await proceed(ref, output: output, traceparent: task.envelope.traceparent)
        return output
    }

    /// Runs the step inside its task's time limit less a margin (a fifth of it, at most 5 s), so
    /// a step that overruns is stopped here and recorded as a failed attempt before the
    /// executor's own limit cancels the task: otherwise its journal would say `running` until
    /// the sweep found it, and after its last attempt the workflow would never fail.
    static func withinLimit(
        _ timeLimitSeconds: Double, _ operation: @escaping @Sendable () async throws -> String
    ) async throws -> String {
        guard timeLimitSeconds.isFinite, timeLimitSeconds > 0 else { return try await operation() }
        let margin = min(5, timeLimitSeconds / 5)
        let budget = Duration.milliseconds(Int64((timeLimitSeconds - margin) * 1000))
        do {
            return try await withDeadline(budget, whenLate: .cancelAndWait, operation: operation)
        } catch is DeadlineExceeded {
            throw TaskError(
                .timeLimitExceeded, detail: "step ran longer than \(budget) of its \(timeLimitSeconds) s limit")
        }
    }

    /// After the step succeeded: the next step's task (same run, input = output), or the
    /// workflow's slot freed after the last.
    private func proceed(_ ref: WorkflowStepRef, output: String, traceparent: String?) async throws {
        let tenant = admissionTenant(ref.tenantID)
        let holder = descriptor.holder(subjectID: ref.subjectID)
        guard !isLast else {
            try await runtime.admission.release(tenant: tenant, holder: holder)
            return
        }
        let next = steps[index + 1]
        var nextRef = ref
        nextRef.step = next.name
        let envelope = try WorkflowRuntime.envelope(
            descriptor, ref: nextRef, inputJSON: output, traceparent: traceparent,
            maxAttempts: next.retryPolicy.maxAttempts, timeLimit: next.timeLimit)
        try await runtime.admission.advance(envelope, tenant: tenant, holder: holder)
    }

    /// Runs a journal call; its failure (the journal's database or Redis is down) defers the
    /// step, so an outage of the journal never spends the step's attempts.
    private func journaled<T: Sendable>(_ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch let error as WorkflowError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw TaskDeferral(delay: Self.journalDelay, reason: "workflow journal unavailable: \(error)")
        }
    }
}
