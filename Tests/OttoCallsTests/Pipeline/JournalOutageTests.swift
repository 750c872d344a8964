import Foundation
import Logging
import NIOConcurrencyHelpers
import OttoCalls
import OttoPostgres
import OttoRedis
import OttoTestSupport
import Testing

@testable import OttoTasks

/// A workflow step whose PostgreSQL journal cannot be reached neither runs nor spends an
/// attempt: its task is deferred (the README's failure table, "PostgreSQL is down").
@Suite("Workflow journal outage")
struct JournalOutageTests {
    struct Probe: WorkflowStep {
        static let name = "probe"
        let ran: NIOLockedValueBox<Int>

        func run(_ input: String, context: WorkflowContext) async throws -> String {
            ran.withLockedValue { $0 += 1 }
            return input
        }
    }

    @Test("the journal's database refuses connections: the step task throws a TaskDeferral and the step never runs")
    func journalOutageDefers() async throws {
        // Nothing listens on port 1: every connection attempt is refused at once.
        let unreachable = PostgresPool(
            configuration: PostgresConfiguration(
                url: "postgres://otto:otto@127.0.0.1:1/otto", poolSize: 1, connectTimeout: .seconds(1)),
            logger: Logger(label: "otto.tests.journal-outage"))
        let redis = RedisClient(
            endpoint: try RedisEndpoint(url: try TestServices.redisURL()), logger: Logger(label: "otto.tests"))
        let keys = RedisKeys(prefix: TestServices.uniquePrefix("journal-outage"))
        let ran = NIOLockedValueBox(0)
        let workflow = Workflow(name: "probe_flow", first: Probe(ran: ran))
        var registry = TaskRegistry()
        registry.register(
            workflow,
            runtime: WorkflowRuntime(redis: redis, keys: keys, journal: PostgresWorkflowJournal(pool: unreachable)))
        let entry = try #require(registry.entry(named: "probe_flow.probe"))
        let run = try #require(entry.run)
        let tenant = UUID().uuidString.lowercased()
        let message = WorkflowMessage(
            ref: WorkflowStepRef(workflow: "probe_flow", subjectID: "s-1", run: 1, step: "probe", tenantID: tenant),
            input: #""hello""#)
        let arguments = String(decoding: try JSONEncoder().encode(message), as: UTF8.self)
        let envelope = try TaskEnvelope.first(
            name: "probe_flow.probe", arguments: arguments, options: EnqueueOptions(tenantID: tenant),
            registry: registry)

        await #expect(throws: TaskDeferral.self) {
            _ = try await run(arguments, TaskContext(envelope: envelope, logger: Logger(label: "otto.tests")))
        }
        #expect(ran.withLockedValue { $0 } == 0)
        await unreachable.shutdown()
        await redis.close()
    }
}
