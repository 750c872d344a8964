import Logging
import Testing

@testable import OttoTasks

/// A task's result is encoded when it will be kept (the envelope has a result TTL) and not
/// otherwise: `TaskExecutor.track` stores it only then.
@Suite("Task results")
struct TaskResultTests {
    static func run(resultTTL: Int?) async throws -> String {
        var registry = TaskRegistry()
        registry.register(PingTask(redis: nil, keys: RedisKeys(prefix: "otto-test-results:")))
        let run = try #require(registry.entry(named: PingTask.name)?.run)
        var envelope = TaskEnvelopeTests.envelope
        envelope.name = PingTask.name
        envelope.arguments = "{}"
        envelope.resultTTL = resultTTL
        return try await run(envelope.arguments, TaskContext(envelope: envelope, logger: Logger(label: "otto.tests")))
    }

    @Test("with a result TTL the result is the task's output as JSON; without one it is not encoded")
    func encodedWhenKept() async throws {
        #expect(try await Self.run(resultTTL: 3600) == #""pong""#)
        #expect(try await Self.run(resultTTL: nil) == "null")
    }

    @Test("arguments that do not match the task are refused either way")
    func invalidArguments() async throws {
        var registry = TaskRegistry()
        registry.register(PingTask(redis: nil, keys: RedisKeys(prefix: "otto-test-results:")))
        let run = try #require(registry.entry(named: PingTask.name)?.run)
        let context = TaskContext(envelope: TaskEnvelopeTests.envelope, logger: Logger(label: "otto.tests"))
        for arguments in [#"{"delay_ms":"soon"}"#, "[1]", "not json", #"{"fail":1}"#] {
            let error = await #expect(throws: TaskError.self) { try await run(arguments, context) }
            #expect(error?.code == .invalidArguments, "\(arguments)")
        }
        // A flat object the fast decoder reads, and one it leaves to JSONDecoder (an integer
        // written as 0.0, which JSONDecoder converts), run alike.
        #expect(TaskEnvelopeTests.envelope.resultTTL != nil)
        #expect(try await run(#"{"delay_ms":0}"#, context) == #""pong""#)
        #expect(try await run(#"{"delay_ms":0.0}"#, context) == #""pong""#)
    }
}
