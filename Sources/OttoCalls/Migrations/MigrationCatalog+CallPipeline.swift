import OttoPostgres

extension MigrationCatalog {
    /// The call-analysis pipeline's tables, all tenant-scoped under row-level security:
    ///
    /// - `recordings`: a call's recordings, once per (tenant, provider, recording id), from
    ///   Twilio's recording status callback (its `RecordingSid`) or CallRail's post-call webhook
    ///   (the CallRail call id; the media URL is resolved through CallRail's API when it runs).
    /// - `workflows` and `workflow_steps`: one workflow per (tenant, name, subject), the subject
    ///   being the call; `run` counts the times it was started (a reprocess starts the next run);
    ///   each step's state, attempts, last error and output (the next step's input).
    /// - `transcripts` and `analyses`: one row per call each (keyed by call and step), so a re-run
    ///   replaces and never duplicates.
    /// - `usage_daily`: the per-tenant ledger (audio seconds, tokens) per UTC day.
    ///
    /// `workflows`, `workflow_steps` and `usage_daily` also admit maintenance transactions
    /// (`SET LOCAL app.maintenance = 'on'`, as `webhook_events` does): the workflow sweep and the
    /// operator's `tenants usage` read across tenants.
    static let callPipeline = Migration(
        version: 6, name: "call_pipeline",
        sql: """
            CREATE TABLE recordings (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                tenant_id uuid NOT NULL REFERENCES tenants(id),
                call_id uuid NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
                provider text NOT NULL CHECK (provider IN ('twilio', 'callrail')),
                provider_recording_id text NOT NULL,
                media_url text,
                status text NOT NULL,
                channels integer CHECK (channels IN (1, 2)),
                duration_seconds integer CHECK (duration_seconds >= 0),
                received_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (tenant_id, provider, provider_recording_id)
            );
            CREATE INDEX recordings_call ON recordings (call_id);
            \(TenantScope.policySQL(table: "recordings"))

            CREATE TABLE workflows (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                tenant_id uuid NOT NULL REFERENCES tenants(id),
                name text NOT NULL,
                subject_id text NOT NULL,
                run integer NOT NULL DEFAULT 1 CHECK (run >= 1),
                state text NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
                first_step text NOT NULL,
                input jsonb,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                finished_at timestamptz,
                UNIQUE (tenant_id, name, subject_id)
            );
            CREATE INDEX workflows_unfinished ON workflows (updated_at) WHERE state IN ('queued', 'running');
            \(TenantScope.policySQL(table: "workflows"))
            CREATE POLICY workflows_maintenance ON workflows
                USING (current_setting('app.maintenance', true) = 'on')
                WITH CHECK (current_setting('app.maintenance', true) = 'on');

            CREATE TABLE workflow_steps (
                workflow_id uuid NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
                tenant_id uuid NOT NULL REFERENCES tenants(id),
                position integer NOT NULL CHECK (position >= 0),
                step text NOT NULL,
                run integer NOT NULL CHECK (run >= 1),
                state text NOT NULL CHECK (state IN ('pending', 'running', 'succeeded', 'failed')),
                attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                last_error text,
                deferred_until timestamptz,
                output jsonb,
                started_at timestamptz,
                finished_at timestamptz,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (workflow_id, step),
                UNIQUE (workflow_id, position)
            );
            \(TenantScope.policySQL(table: "workflow_steps"))
            CREATE POLICY workflow_steps_maintenance ON workflow_steps
                USING (current_setting('app.maintenance', true) = 'on')
                WITH CHECK (current_setting('app.maintenance', true) = 'on');

            CREATE TABLE transcripts (
                call_id uuid PRIMARY KEY REFERENCES calls(id) ON DELETE CASCADE,
                tenant_id uuid NOT NULL REFERENCES tenants(id),
                recording_id uuid REFERENCES recordings(id) ON DELETE SET NULL,
                channels integer NOT NULL CHECK (channels IN (1, 2)),
                duration_seconds double precision NOT NULL CHECK (duration_seconds >= 0),
                utterances jsonb NOT NULL,
                model text NOT NULL,
                model_name text,
                request_id text,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            \(TenantScope.policySQL(table: "transcripts"))

            CREATE TABLE analyses (
                call_id uuid PRIMARY KEY REFERENCES calls(id) ON DELETE CASCADE,
                tenant_id uuid NOT NULL REFERENCES tenants(id),
                summary text NOT NULL,
                sentiment text NOT NULL,
                outcome text NOT NULL,
                objections jsonb NOT NULL,
                next_steps jsonb NOT NULL,
                lead_score integer NOT NULL CHECK (lead_score BETWEEN 0 AND 100),
                talk_time jsonb NOT NULL,
                talk_time_ratio double precision,
                silence_seconds double precision NOT NULL CHECK (silence_seconds >= 0),
                model text NOT NULL,
                prompt_tokens integer NOT NULL CHECK (prompt_tokens >= 0),
                completion_tokens integer NOT NULL CHECK (completion_tokens >= 0),
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            \(TenantScope.policySQL(table: "analyses"))

            CREATE TABLE usage_daily (
                tenant_id uuid NOT NULL REFERENCES tenants(id),
                day date NOT NULL,
                audio_seconds double precision NOT NULL DEFAULT 0,
                transcriptions integer NOT NULL DEFAULT 0,
                prompt_tokens bigint NOT NULL DEFAULT 0,
                completion_tokens bigint NOT NULL DEFAULT 0,
                analyses integer NOT NULL DEFAULT 0,
                PRIMARY KEY (tenant_id, day)
            );
            \(TenantScope.policySQL(table: "usage_daily"))
            CREATE POLICY usage_daily_maintenance ON usage_daily
                USING (current_setting('app.maintenance', true) = 'on')
                WITH CHECK (current_setting('app.maintenance', true) = 'on');
            """)
}
