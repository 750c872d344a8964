/// The dashboard's pages as templates in mustache's syntax (``HTMLTemplate``), parsed once from
/// the string literals below, so the binary carries them: no resource bundle, no file read at
/// run time. `{{name}}` is always HTML-escaped.
enum DashboardTemplates {
    static let templates: [String: HTMLTemplate] = {
        do {
            return ["page": try HTMLTemplate(page), "signin": try HTMLTemplate(signIn)]
        } catch {
            preconditionFailure("a dashboard template does not parse: \(error)")
        }
    }()

    static func render(_ name: String, _ view: Any) -> String {
        templates[name]?.render(view) ?? ""
    }

    static let signIn = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Sign in: Otto operator dashboard</title>
        <link rel="icon" href="data:,">
        </head>
        <body>
        <main>
        <h1>Otto operator dashboard</h1>
        <p>This page is internal. From outside the machine, sign in with the internal API token
        (<code>INTERNAL_API_TOKEN</code>).</p>
        {{#error}}<p role="alert" id="signin-error"><strong>{{error}}</strong></p>{{/error}}
        <form method="post" action="/internal/dashboard/session">
        <p><label for="token">Internal API token</label><br>
        <input id="token" name="token" type="password" autocomplete="current-password" required
        size="40" autofocus></p>
        <p><button type="submit">Sign in</button></p>
        </form>
        </main>
        </body>
        </html>

        """

    static let page = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="csrf-token" content="{{csrf}}">
        <title>Otto operator dashboard</title>
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="/internal/dashboard/assets/dashboard.css?v={{version}}">
        <script src="/internal/dashboard/assets/dashboard.js?v={{version}}" defer></script>
        </head>
        <body>
        <a class="skip" href="#main">Skip to the panels</a>
        <header>
        <h1>Otto operator dashboard</h1>
        <p id="status" role="status" aria-live="polite">Read at {{generatedAt}}; refreshes every 3 s.</p>
        <p id="notice" role="status" aria-live="polite"></p>
        <form method="post" action="/internal/dashboard/session/end" class="inline">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit">Sign out</button>
        </form>
        </header>
        <main id="main">
        {{#unavailable}}<p class="bad" role="alert">Could not read: {{.}}</p>{{/unavailable}}
        <section aria-labelledby="queues-title">
        <h2 id="queues-title">Queues</h2>
        <div class="scroll" tabindex="0" role="region" aria-labelledby="queues-title">
        <table id="queues">
        <thead><tr><th scope="col">Queue</th><th scope="col">Waiting</th><th scope="col">Pending</th>
        <th scope="col">Delayed</th><th scope="col">Dead</th><th scope="col">Succeeded/min</th>
        <th scope="col">Failed/min</th><th scope="col">Succeeded, 1 h</th><th scope="col">Failed, 1 h</th>
        <th scope="col">Wait p50</th><th scope="col">Wait p95</th><th scope="col">Wait p99</th></tr></thead>
        <tbody>
        {{#queues}}<tr><th scope="row">{{name}}</th><td>{{waiting}}</td><td>{{pending}}</td><td>{{delayed}}</td>
        <td>{{dead}}</td><td>{{succeededPerMinute}}</td><td>{{failedPerMinute}}</td><td>{{succeededHour}}</td>
        <td>{{failedHour}}</td><td>{{waitP50}}</td><td>{{waitP95}}</td><td>{{waitP99}}</td></tr>
        {{/queues}}
        </tbody>
        </table>
        </div>
        <p class="note">Per minute: the last complete minute. Wait: how long the oldest undelivered task
        had waited, sampled every 5 s over the last hour.</p>
        </section>

        <section aria-labelledby="workers-title">
        <h2 id="workers-title">Workers</h2>
        <p id="canary" class="{{canaryClass}}">Canary: {{canaryText}}</p>
        <div class="scroll" tabindex="0" role="region" aria-labelledby="workers-title">
        <table id="workers">
        <thead><tr><th scope="col">Host</th><th scope="col">PID</th><th scope="col">Queues</th>
        <th scope="col">Concurrency</th><th scope="col">In flight</th><th scope="col">Processed</th>
        <th scope="col">Failed</th><th scope="col">Heartbeat</th></tr></thead>
        <tbody>
        {{#workers}}<tr><th scope="row">{{host}}</th><td>{{pid}}</td><td>{{queues}}</td><td>{{concurrency}}</td>
        <td>{{inFlight}}</td><td>{{processed}}</td><td>{{failed}}</td><td>{{age}}</td></tr>
        {{/workers}}
        </tbody>
        </table>
        </div>
        {{^workers}}<p class="bad" id="no-workers">No live worker.</p>{{/workers}}
        </section>

        <section aria-labelledby="beat-title">
        <h2 id="beat-title">Beat</h2>
        <p id="beat-leader">Leader: {{beatLeader}}</p>
        <div class="scroll" tabindex="0" role="region" aria-labelledby="beat-title">
        <table id="schedules">
        <thead><tr><th scope="col">Schedule</th><th scope="col">Task</th><th scope="col">Queue</th>
        <th scope="col">When</th><th scope="col">Last run</th><th scope="col">Next run</th></tr></thead>
        <tbody>
        {{#schedules}}<tr><th scope="row">{{name}}</th><td>{{task}}</td><td>{{queue}}</td><td>{{timing}}</td>
        <td>{{lastRun}}</td><td>{{nextRun}}</td></tr>
        {{/schedules}}
        </tbody>
        </table>
        </div>
        </section>

        <section aria-labelledby="dead-title">
        <h2 id="dead-title">Dead letters</h2>
        <div id="dead-actions">
        {{#deadQueues}}<form method="post" action="/internal/dashboard/dead/replay" class="inline"
        data-confirm="Replay every dead letter of {{name}}?">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="queue" value="{{name}}">
        <button type="submit">Replay all of {{name}} ({{dead}})</button></form>
        <form method="post" action="/internal/dashboard/dead/purge" class="inline"
        data-confirm="Delete every dead letter of {{name}}? This cannot be undone.">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="queue" value="{{name}}">
        <button type="submit" class="danger">Purge {{name}}</button></form>
        {{/deadQueues}}
        </div>
        <div class="scroll" tabindex="0" role="region" aria-labelledby="dead-title">
        <table id="dead">
        <thead><tr><th scope="col">Task</th><th scope="col">Queue</th><th scope="col">Error</th>
        <th scope="col">Attempts</th><th scope="col">Arguments</th><th scope="col">Dead since</th>
        <th scope="col">Action</th></tr></thead>
        <tbody>
        {{#deadLetters}}<tr><th scope="row">{{task}}<br><code>{{taskID}}</code></th><td>{{queue}}</td><td>{{error}}</td>
        <td>{{attempts}}</td><td><code>{{arguments}}</code></td><td>{{deadAt}}</td>
        <td><form method="post" action="/internal/dashboard/dead/replay" data-confirm="Replay {{task}} {{taskID}}?">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="queue" value="{{queue}}">
        <input type="hidden" name="id" value="{{entryID}}">
        <button type="submit" aria-label="Replay {{task}} {{taskID}}">Replay</button></form></td></tr>
        {{/deadLetters}}
        </tbody>
        </table>
        </div>
        {{^deadLetters}}<p id="no-dead">No dead letter.</p>{{/deadLetters}}
        </section>

        <section aria-labelledby="task-title">
        <h2 id="task-title">Task by id</h2>
        <form method="get" action="/internal/dashboard" id="task-form">
        <label for="task-id">Task id</label>
        <input id="task-id" name="task" value="{{taskQuery}}" size="36" autocomplete="off" spellcheck="false">
        <button type="submit">Look up</button>
        </form>
        <p id="task-result" role="status" aria-live="polite">{{taskResult}}</p>
        </section>

        <section aria-labelledby="failures-title">
        <h2 id="failures-title">Recent failures</h2>
        <div class="scroll" tabindex="0" role="region" aria-labelledby="failures-title">
        <table id="failures">
        <thead><tr><th scope="col">When</th><th scope="col">Task</th><th scope="col">Queue</th>
        <th scope="col">Error</th></tr></thead>
        <tbody>
        {{#recentFailures}}<tr><th scope="row">{{deadAt}}</th><td>{{task}}</td><td>{{queue}}</td><td>{{error}}</td></tr>
        {{/recentFailures}}
        </tbody>
        </table>
        </div>
        <p class="note">The newest dead letters over every queue (attempts that will be retried are not failures yet).</p>
        </section>

        <section aria-labelledby="tenants-title">
        <h2 id="tenants-title">Pipeline: per-tenant backlog</h2>
        <div class="scroll" tabindex="0" role="region" aria-labelledby="tenants-title">
        <table id="tenants">
        <thead><tr><th scope="col">Tenant</th><th scope="col">Active workflows</th>
        <th scope="col">Waiting workflows</th><th scope="col">Oldest waiting</th></tr></thead>
        <tbody>
        {{#tenants}}<tr><th scope="row">{{tenant}}</th><td>{{active}}</td><td>{{waiting}}</td><td>{{oldest}}</td></tr>
        {{/tenants}}
        </tbody>
        </table>
        </div>
        </section>

        <section aria-labelledby="workflows-title">
        <h2 id="workflows-title">Pipeline: workflows</h2>
        <div class="scroll" tabindex="0" role="region" aria-labelledby="workflows-title">
        <table id="workflows">
        <thead><tr><th scope="col">Queued</th><th scope="col">Running</th>
        <th scope="col">Oldest unfinished moved</th><th scope="col">Failed, last day</th></tr></thead>
        <tbody>
        {{#workflows}}<tr><td>{{queued}}</td><td>{{running}}</td><td>{{oldest}}</td><td>{{failed}}</td></tr>
        {{/workflows}}
        </tbody>
        </table>
        <table id="workflow-failures">
        <caption>Recent failed workflows</caption>
        <thead><tr><th scope="col">Failed</th><th scope="col">Call</th><th scope="col">Tenant</th>
        <th scope="col">Step</th><th scope="col">Error</th></tr></thead>
        <tbody>
        {{#workflowFailures}}<tr><th scope="row">{{age}}</th><td>{{call}}</td><td>{{tenant}}</td><td>{{step}}</td><td>{{error}}</td></tr>
        {{/workflowFailures}}
        </tbody>
        </table>
        </div>
        <p class="note">From PostgreSQL, the source of truth (a dash: no database, or it did not answer).</p>
        </section>

        <section aria-labelledby="usage-title">
        <h2 id="usage-title">Pipeline: usage today</h2>
        <p id="usage-summary">{{usageSummary}}</p>
        <div class="scroll" tabindex="0" role="region" aria-labelledby="usage-title">
        <table id="usage">
        <thead><tr><th scope="col">Tenant</th><th scope="col">Id</th><th scope="col">Audio</th>
        <th scope="col">Transcriptions</th><th scope="col">Analyses</th><th scope="col">Prompt tokens</th>
        <th scope="col">Completion tokens</th></tr></thead>
        <tbody>
        {{#usage}}<tr><th scope="row">{{name}}</th><td>{{tenant}}</td><td>{{audio}}</td><td>{{transcriptions}}</td>
        <td>{{analyses}}</td><td>{{promptTokens}}</td><td>{{completionTokens}}</td></tr>
        {{/usage}}
        </tbody>
        </table>
        </div>
        <p class="note">The usage ledger's current UTC day, from PostgreSQL (what <code>GET /v1/usage</code> and
        <code>otto-api tenants usage</code> read): every tenant's sum, then the 20 tenants with the most audio.</p>
        </section>
        </main>
        </body>
        </html>

        """
}
