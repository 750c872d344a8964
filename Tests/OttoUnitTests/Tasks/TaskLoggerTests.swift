import Foundation
import Logging
import OttoProcessKit
import Testing

@testable import OttoTasks

/// What a task logs through its context carries the task's metadata beside the process's own
/// (DESIGN.md's operator interface: a task's lines are found by its id and its trace).
@Suite("Task logger metadata")
struct TaskLoggerTests {
    @Test("a task's logger adds task_id, task_name, queue, attempt, trace_id and tenant_id to the process's metadata")
    func taskMetadata() throws {
        let output = LogOutput.capturing()
        var base = LoggingSetup.logger(label: "otto.worker", output: output)
        base[metadataKey: "worker_id"] = "w-7"
        var envelope = TaskEnvelopeTests.envelope
        envelope.tenantID = "tenant-a"
        envelope.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        TaskExecutor.logger(base, for: envelope).info("step")
        base.info("process line")
        let lines = output.capturedLines.map {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:]
        }
        #expect(lines.count == 2)
        let task = try #require(lines.first)
        #expect(task["worker_id"] as? String == "w-7")
        #expect(task["task_id"] as? String == envelope.id)
        #expect(task["task_name"] as? String == envelope.name)
        #expect(task["queue"] as? String == envelope.queue)
        #expect(task["attempt"] as? Int == envelope.attempt)
        #expect(task["trace_id"] as? String == "0af7651916cd43dd8448eb211c80319c")
        #expect(task["tenant_id"] as? String == "tenant-a")
        // The process's own logger is not changed by the task's.
        let process = try #require(lines.last)
        #expect(process["worker_id"] as? String == "w-7")
        #expect(process["task_id"] == nil)
    }

    @Test("a task run in-process (ENABLE_CELERY=false) logs through a logger with the same task metadata")
    func inProcessMetadata() async throws {
        let output = LogOutput.capturing()
        let runner = InProcessTaskRunner(
            registry: {
                var registry = TaskRegistry()
                registry.register(StepLoggingTask())
                return registry
            }(), logger: LoggingSetup.logger(label: "otto.api", output: output), concurrency: 1)
        let running = Task { try? await runner.run() }
        let enqueued = try await runner.enqueue(
            name: StepLoggingTask.name, arguments: "{}", options: EnqueueOptions(maxAttempts: 1))
        let deadline = ContinuousClock.now + .seconds(10)
        func stepLine() -> [String: Any]? {
            output.capturedLines.lazy.compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
            }.first { $0["message"] as? String == "step" }
        }
        while stepLine() == nil && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        running.cancel()
        let line = try #require(stepLine(), "\(output.capturedLines)")
        #expect(line["task_id"] as? String == enqueued.id)
        #expect(line["task_name"] as? String == StepLoggingTask.name)
        #expect(line["queue"] as? String == enqueued.queue)
        #expect(line["attempt"] as? Int == 1)
    }
}

/// Logs one line, "step", through its context's logger.
struct StepLoggingTask: OttoTask {
    static let name = "test.step_logging"

    func run(_ arguments: [String: String], context: TaskContext) async throws -> String {
        context.logger.info("step")
        return "done"
    }
}
