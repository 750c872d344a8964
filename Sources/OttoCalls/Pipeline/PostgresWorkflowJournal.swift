import OttoPostgres
import OttoTasks

/// The workflow journal in PostgreSQL (`workflows`, `workflow_steps` of migration 6): the source
/// of truth for the product's pipeline, under the tenant's row-level security.
///
/// Each method is one transaction in the workflow's tenant scope (a workflow without a tenant is
/// refused with ``WorkflowJournalError``), takes the workflow's row lock first, and is idempotent:
/// a step's task runs at least once, so every event may arrive twice, and an event of a run that
/// is no longer current (a reprocess started another) changes nothing.
///
/// Step states: a step that failed and will be retried, or was deferred, is `pending` again with
/// its reason in `last_error`; a final failure leaves it `failed` and fails the workflow. A step
/// that succeeded or failed for good in the current run does not start again.
public struct PostgresWorkflowJournal: WorkflowJournal {
    let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    // MARK: Runs

    public func begin(
        workflow: String, subjectID: String, tenantID: String?, steps: [String], fromStep: String,
        inputJSON: String?
    ) async throws -> Int {
        let tenant = try Self.tenant(tenantID)
        return try await TenantScope.transaction(pool, tenantID: tenant) { connection in
            try Self.begin(
                connection, workflow: workflow, subjectID: subjectID, tenantID: tenant, steps: steps,
                fromStep: fromStep, inputJSON: inputJSON)
        }
    }

    /// ``begin(workflow:subjectID:tenantID:steps:fromStep:inputJSON:)`` inside a transaction the
    /// caller holds, already in `tenantID`'s scope (webhook processing starts the pipeline in the
    /// transaction that attaches the recording). Returns the new run's number.
    public static func begin(
        _ connection: PostgresConnection, workflow: String, subjectID: String, tenantID: String, steps: [String],
        fromStep: String, inputJSON: String?
    ) throws -> Int {
        guard let from = steps.firstIndex(of: fromStep) else {
            throw WorkflowError(.unknownStep, detail: "\(fromStep) is not a step of \(workflow)")
        }
        let existing = try connection.query(
            "SELECT id FROM workflows WHERE tenant_id = $1::uuid AND name = $2 AND subject_id = $3 FOR UPDATE",
            [tenantID, workflow, subjectID]
        ).first.map { try $0.decode(String.self, "id") }
        if from > 0 {
            let before = steps[from - 1]
            let output = try existing.flatMap { id in
                try connection.query(
                    "SELECT output IS NOT NULL AS present FROM workflow_steps WHERE workflow_id = $1::uuid AND step = $2",
                    [id, before]
                ).first?.decode(Bool.self, "present")
            }
            guard output == true else {
                throw WorkflowError(.missingInput, detail: "\(before) has no stored output to start \(fromStep) from")
            }
        }
        let started = try connection.query(
            """
            INSERT INTO workflows (tenant_id, name, subject_id, run, state, first_step, input)
            VALUES ($1::uuid, $2, $3, 1, 'queued', $4, $5::jsonb)
            ON CONFLICT (tenant_id, name, subject_id) DO UPDATE SET
                run = workflows.run + 1, state = 'queued', first_step = EXCLUDED.first_step,
                input = CASE WHEN $6::boolean THEN EXCLUDED.input ELSE workflows.input END,
                updated_at = now(), finished_at = NULL
            RETURNING id, run
            """, [tenantID, workflow, subjectID, fromStep, from == 0 ? inputJSON : nil, from == 0])
        guard let row = started.first else {
            throw PostgresError(code: .queryFailed, reason: "the workflow upsert returned no row")
        }
        let id = try row.decode(String.self, "id")
        let run = try row.decode(Int.self, "run")
        for (position, step) in steps.enumerated() where position >= from {
            _ = try connection.query(
                """
                INSERT INTO workflow_steps (workflow_id, tenant_id, position, step, run, state, attempts)
                VALUES ($1::uuid, $2::uuid, $3::integer, $4, $5::integer, 'pending', 0)
                ON CONFLICT (workflow_id, step) DO UPDATE SET
                    position = EXCLUDED.position, run = EXCLUDED.run, state = 'pending', attempts = 0,
                    last_error = NULL, deferred_until = NULL, output = NULL, started_at = NULL, finished_at = NULL,
                    updated_at = now()
                """, [id, tenantID, position, step, run])
        }
        return run
    }

    // MARK: Steps

    public func stepStarted(_ ref: WorkflowStepRef, attempt: Int) async throws -> Bool {
        try await current(ref) { connection, step in
            guard step.state != "succeeded", step.state != "failed", step.workflowState != "failed" else {
                return false
            }
            _ = try connection.query(
                """
                UPDATE workflow_steps SET state = 'running', attempts = greatest(attempts, $3::integer),
                    started_at = coalesce(started_at, now()), deferred_until = NULL, updated_at = now()
                WHERE workflow_id = $1::uuid AND step = $2
                """, [step.workflowID, ref.step, attempt])
            try Self.touch(connection, workflowID: step.workflowID, state: "running")
            return true
        } ?? false
    }

    public func stepSucceeded(_ ref: WorkflowStepRef, attempt: Int, outputJSON: String, isLast: Bool) async throws {
        _ = try await current(ref) { connection, step in
            guard step.state != "succeeded" else { return true }
            _ = try connection.query(
                """
                UPDATE workflow_steps SET state = 'succeeded', attempts = greatest(attempts, $3::integer),
                    output = $4::jsonb, last_error = NULL, deferred_until = NULL,
                    started_at = coalesce(started_at, now()), finished_at = now(), updated_at = now()
                WHERE workflow_id = $1::uuid AND step = $2
                """, [step.workflowID, ref.step, attempt, outputJSON])
            try Self.touch(connection, workflowID: step.workflowID, state: isLast ? "succeeded" : "running")
            return true
        }
    }

    public func stepFailed(_ ref: WorkflowStepRef, attempt: Int, reason: String, final: Bool) async throws {
        _ = try await current(ref) { connection, step in
            guard step.state != "succeeded", step.state != "failed" else { return true }
            _ = try connection.query(
                """
                UPDATE workflow_steps SET state = $4, attempts = greatest(attempts, $3::integer), last_error = $5,
                    deferred_until = NULL, finished_at = CASE WHEN $6::boolean THEN now() END, updated_at = now()
                WHERE workflow_id = $1::uuid AND step = $2
                """, [step.workflowID, ref.step, attempt, final ? "failed" : "pending", reason, final])
            if final {
                try Self.touch(connection, workflowID: step.workflowID, state: "failed")
            } else {
                try Self.touch(connection, workflowID: step.workflowID, state: nil)
            }
            return true
        }
    }

    public func stepDeferred(_ ref: WorkflowStepRef, reason: String, until: Double) async throws {
        _ = try await current(ref) { connection, step in
            guard step.state != "succeeded", step.state != "failed" else { return true }
            _ = try connection.query(
                """
                UPDATE workflow_steps SET state = 'pending', last_error = $3, deferred_until = to_timestamp($4::float8),
                    updated_at = now()
                WHERE workflow_id = $1::uuid AND step = $2
                """, [step.workflowID, ref.step, reason, until])
            try Self.touch(connection, workflowID: step.workflowID, state: nil)
            return true
        }
    }

    // MARK: Reading

    public func input(workflow: String, subjectID: String, tenantID: String?) async throws -> String? {
        let tenant = try Self.tenant(tenantID)
        return try await TenantScope.transaction(pool, tenantID: tenant) { connection in
            try connection.query(
                "SELECT input::text AS input FROM workflows WHERE tenant_id = $1::uuid AND name = $2 AND subject_id = $3",
                [tenant, workflow, subjectID]
            ).first?.decode(String?.self, "input")
        }
    }

    public func output(workflow: String, subjectID: String, tenantID: String?, step: String) async throws -> String? {
        let tenant = try Self.tenant(tenantID)
        return try await TenantScope.transaction(pool, tenantID: tenant) { connection in
            try connection.query(
                """
                SELECT s.output::text AS output FROM workflow_steps s JOIN workflows w ON w.id = s.workflow_id
                WHERE w.tenant_id = $4::uuid AND w.name = $1 AND w.subject_id = $2 AND s.step = $3
                """, [workflow, subjectID, step, tenant]
            ).first?.decode(String?.self, "output")
        }
    }

    public func status(workflow: String, subjectID: String, tenantID: String?) async throws -> WorkflowStatus? {
        let tenant = try Self.tenant(tenantID)
        return try await TenantScope.transaction(pool, tenantID: tenant) { connection in
            try Self.status(connection, workflow: workflow, subjectID: subjectID)
        }
    }

    /// The workflow's status read through `connection` (in the tenant's scope), or nil.
    public static func status(
        _ connection: PostgresConnection, workflow: String, subjectID: String
    ) throws -> WorkflowStatus? {
        guard
            let row = try connection.query(
                """
                SELECT id, run, state, extract(epoch FROM created_at)::float8 AS created_at,
                       extract(epoch FROM updated_at)::float8 AS updated_at
                FROM workflows WHERE name = $1 AND subject_id = $2
                """, [workflow, subjectID]
            ).first
        else { return nil }
        let steps = try connection.query(
            """
            SELECT step, state, attempts, last_error, extract(epoch FROM deferred_until)::float8 AS deferred_until,
                   extract(epoch FROM started_at)::float8 AS started_at,
                   extract(epoch FROM finished_at)::float8 AS finished_at
            FROM workflow_steps WHERE workflow_id = $1::uuid ORDER BY position
            """, [try row.decode(String.self, "id")]
        ).rows.map { step in
            WorkflowStatus.Step(
                name: try step.decode(String.self, "step"),
                state: try Self.decoded(WorkflowStatus.StepState.self, step.decode(String.self, "state")),
                attempts: try step.decode(Int.self, "attempts"), error: try step.decode(String?.self, "last_error"),
                deferredUntil: try step.decode(Double?.self, "deferred_until"),
                startedAt: try step.decode(Double?.self, "started_at"),
                finishedAt: try step.decode(Double?.self, "finished_at"))
        }
        return WorkflowStatus(
            workflow: workflow, subjectID: subjectID, run: try row.decode(Int.self, "run"),
            state: try Self.decoded(WorkflowStatus.State.self, row.decode(String.self, "state")), steps: steps,
            createdAt: try row.decode(Double.self, "created_at"), updatedAt: try row.decode(Double.self, "updated_at"))
    }

    // MARK: Internals

    /// A step's row in the workflow's current run, locked with its workflow.
    struct CurrentStep: Sendable {
        var workflowID: String
        /// The step's state.
        var state: String
        var workflowState: String
    }

    /// Runs `body` in the tenant's scope when `ref` names the workflow's current run and one of
    /// its steps; nil (nothing done) otherwise.
    func current(
        _ ref: WorkflowStepRef,
        _ body: @escaping @Sendable (PostgresConnection, CurrentStep) throws -> Bool
    ) async throws -> Bool? {
        let tenant = try Self.tenant(ref.tenantID)
        return try await TenantScope.transaction(pool, tenantID: tenant) { connection -> Bool? in
            guard
                let row = try connection.query(
                    """
                    SELECT w.id, w.state AS workflow_state, s.state FROM workflows w
                    JOIN workflow_steps s ON s.workflow_id = w.id AND s.step = $3
                    WHERE w.tenant_id = $5::uuid AND w.name = $1 AND w.subject_id = $2 AND w.run = $4::integer
                      AND s.run = $4::integer
                    FOR UPDATE OF w, s
                    """, [ref.workflow, ref.subjectID, ref.step, ref.run, tenant]
                ).first
            else { return nil }
            let step = CurrentStep(
                workflowID: try row.decode(String.self, "id"), state: try row.decode(String.self, "state"),
                workflowState: try row.decode(String.self, "workflow_state"))
            return try body(connection, step)
        }
    }

    /// Marks the workflow's progress: its state (unless it already ended, or `state` is nil) and
    /// `updated_at`, which the overdue sweep reads.
    static func touch(_ connection: PostgresConnection, workflowID: String, state: String?) throws {
        _ = try connection.query(
            """
            UPDATE workflows SET
                state = CASE WHEN $2::text IS NULL OR state IN ('succeeded', 'failed') THEN state ELSE $2::text END,
                finished_at = CASE WHEN $2::text IN ('succeeded', 'failed') AND state NOT IN ('succeeded', 'failed')
                                   THEN now() ELSE finished_at END,
                updated_at = now()
            WHERE id = $1::uuid
            """, [workflowID, state])
    }

    static func tenant(_ tenantID: String?) throws -> String {
        guard let tenantID, !tenantID.isEmpty else {
            throw WorkflowJournalError(
                .missingTenant, detail: "the PostgreSQL workflow journal keeps workflows per tenant")
        }
        guard UUIDText.isValid(tenantID) else {
            throw WorkflowJournalError(.invalidTenant, detail: "the tenant id is not a UUID")
        }
        return tenantID
    }

    static func decoded<T: RawRepresentable>(_ type: T.Type, _ text: String) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: text) else {
            throw PostgresError(code: .decoding, reason: "unknown workflow state")
        }
        return value
    }
}
