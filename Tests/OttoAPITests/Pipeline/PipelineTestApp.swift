import Foundation
import HummingbirdTesting
import Logging
import OttoCalls
import OttoCore
import OttoPostgres
import OttoProcessKit
import OttoTasks
import OttoTestSupport

@testable import OttoAPI

/// The production application as `CallsTestApp` builds it, with the workflow journal
/// `GET /v1/calls/{id}` reads (none by default, as without the pipeline).
enum PipelineTestApp {
    static func run<Value: Sendable>(
        celery: Bool = false, workflows: (any WorkflowJournal)? = nil,
        _ body: @Sendable (any TestClientProtocol, Dependencies) async throws -> Value
    ) async throws -> Value {
        let configuration = try TestApp.configuration(try CallsRouteTests.environment(celery: celery))
        let logger = LoggingSetup.logger(
            label: "otto.api.test", output: .capturing(), level: configuration.logging.level)
        let dependencies = Dependencies(configuration: configuration, logger: logger)
        do {
            try await MigrationRunner(pool: dependencies.postgres!, logger: logger).migrate()
            let app = buildApplication(
                configuration: configuration, dependencies: dependencies, logger: logger, workflows: workflows)
            let value = try await app.test(.live) { client in try await body(client, dependencies) }
            await dependencies.shutdown()
            return value
        } catch {
            await dependencies.shutdown()
            throw error
        }
    }

    /// Today's UTC day, as the API computes its default range.
    static var today: CalendarDay { CalendarDay(unixSeconds: Date().timeIntervalSince1970) }
}

/// A journal that knows one workflow, for `GET /v1/calls/{id}`'s rendering of it: the product's
/// journal is PostgreSQL's (the pipeline's own tests cover it); this one answers `status` for
/// one (tenant, subject) and nil for every other, and refuses to be written to.
struct OneWorkflowJournal: WorkflowJournal {
    var tenantID: String
    var status: WorkflowStatus

    struct Unsupported: Error {}

    func status(workflow: String, subjectID: String, tenantID: String?) async throws -> WorkflowStatus? {
        workflow == status.workflow && subjectID == status.subjectID && tenantID == self.tenantID ? status : nil
    }

    func begin(
        workflow: String, subjectID: String, tenantID: String?, steps: [String], fromStep: String, inputJSON: String?
    ) async throws -> Int { throw Unsupported() }
    func stepStarted(_ ref: WorkflowStepRef, attempt: Int) async throws -> Bool { throw Unsupported() }
    func stepSucceeded(_ ref: WorkflowStepRef, attempt: Int, outputJSON: String, isLast: Bool) async throws {
        throw Unsupported()
    }
    func stepFailed(_ ref: WorkflowStepRef, attempt: Int, reason: String, final: Bool) async throws {
        throw Unsupported()
    }
    func stepDeferred(_ ref: WorkflowStepRef, reason: String, until: Double) async throws { throw Unsupported() }
    func input(workflow: String, subjectID: String, tenantID: String?) async throws -> String? { throw Unsupported() }
    func output(workflow: String, subjectID: String, tenantID: String?, step: String) async throws -> String? {
        throw Unsupported()
    }
}
