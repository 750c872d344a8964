/// The dashboard's only script and stylesheet, hand-written and served by otto-api itself
/// (no CDN, no build step). The script polls `/internal/dashboard/state` every 3 s and
/// rewrites the tables with `textContent` only (never HTML from the state), asks before every
/// action, and sends the page's CSRF token with it.
enum DashboardAssets {
    static let script = #"""
        "use strict";
        (function () {
          var csrf = document.querySelector('meta[name="csrf-token"]').content;
          var status = document.getElementById("status");
          var notice = document.getElementById("notice");
          var every = 3000;

          function tenths(v) { return (Math.round(v * 10) / 10).toFixed(1); }
          function seconds(v) {
            if (v === null || v === undefined) return "\u2013";
            if (v < 60) return tenths(v) + " s";
            if (v < 3600) return tenths(v / 60) + " min";
            return tenths(v / 3600) + " h";
          }
          function ago(v) { return seconds(Math.max(0, v)) + " ago"; }
          function usageSummary(u) {
            if (!u) return "Usage unavailable (no database, or it did not answer).";
            if (u.tenants_with_usage === 0) return "UTC day " + u.day + ": no usage yet.";
            return "UTC day " + u.day + ": " + u.tenants_with_usage + " tenants with usage" +
              (u.tenants.length < u.tenants_with_usage ? ", the " + u.tenants.length + " with the most audio listed" : "") + ".";
          }
          function usageRows(u) {
            if (!u || u.tenants_with_usage === 0) return [];
            return [{ name: "All tenants", tenant_id: u.tenants_with_usage + " with usage", usage: u.totals }]
              .concat(u.tenants);
          }
          function clock(unix) { return new Date(unix * 1000).toISOString().substring(11, 19) + " UTC"; }

          function cell(row, text, header) {
            var c = document.createElement(header ? "th" : "td");
            if (header) c.scope = "row";
            c.textContent = String(text);
            row.appendChild(c);
            return c;
          }
          function fill(id, items, build) {
            var body = document.querySelector("#" + id + " tbody");
            var rows = document.createDocumentFragment();
            items.forEach(function (item) {
              var row = document.createElement("tr");
              build(row, item);
              rows.appendChild(row);
            });
            body.replaceChildren(rows);
          }
          function show(id, visible) {
            var node = document.getElementById(id);
            if (node) node.hidden = !visible;
          }
          function actionForm(action, fields, label, question, danger) {
            var form = document.createElement("form");
            form.method = "post";
            form.action = action;
            form.className = "inline";
            form.dataset.confirm = question;
            Object.keys(fields).forEach(function (name) {
              var input = document.createElement("input");
              input.type = "hidden";
              input.name = name;
              input.value = fields[name];
              form.appendChild(input);
            });
            var button = document.createElement("button");
            button.type = "submit";
            button.textContent = label;
            if (danger) button.className = "danger";
            form.appendChild(button);
            return form;
          }

          function render(state) {
            var now = state.generated_at;
            fill("queues", state.queues, function (row, q) {
              var h = q.hour || {};
              cell(row, q.name, true);
              [q.waiting, q.pending, q.delayed, q.dead, h.succeeded_last_minute || 0, h.failed_last_minute || 0,
               h.succeeded_hour || 0, h.failed_hour || 0, seconds(h.wait_p50_s), seconds(h.wait_p95_s),
               seconds(h.wait_p99_s)].forEach(function (v) { cell(row, v); });
            });
            fill("workers", state.workers, function (row, w) {
              cell(row, w.host, true);
              [w.pid, w.queues.join(", "), w.concurrency, w.in_flight, w.processed, w.failed, ago(w.age_s)]
                .forEach(function (v) { cell(row, v); });
            });
            show("no-workers", state.workers.length === 0);
            var canary = document.getElementById("canary");
            var age = state.canary.last_completed_age_s;
            canary.textContent = "Canary: " + (age === null ? "never completed" : "last completed " + ago(age)) +
              (state.canary.stuck ? " (stuck: over " + Math.round(state.canary.stuck_after_s) + " s)" : "");
            canary.className = state.canary.stuck ? "bad" : "good";
            var beat = state.beat;
            document.getElementById("beat-leader").textContent = "Leader: " + (beat.leader === null ||
              beat.leader === undefined ? "none (no beat holds the lease)" : beat.leader +
              (beat.lease_remaining_s ? ", lease " + seconds(beat.lease_remaining_s) : ""));
            fill("schedules", beat.schedules, function (row, s) {
              cell(row, s.name, true);
              [s.task, s.queue, s.timing, s.last_run ? ago(now - s.last_run) : "never",
               s.next_run ? "in " + seconds(Math.max(0, s.next_run - now)) : "\u2013"]
                .forEach(function (v) { cell(row, v); });
            });
            var actions = document.getElementById("dead-actions");
            var forms = document.createDocumentFragment();
            state.queues.filter(function (q) { return q.dead > 0; }).forEach(function (q) {
              forms.appendChild(actionForm("/internal/dashboard/dead/replay", { csrf: csrf, queue: q.name },
                "Replay all of " + q.name + " (" + q.dead + ")", "Replay every dead letter of " + q.name + "?"));
              forms.appendChild(actionForm("/internal/dashboard/dead/purge", { csrf: csrf, queue: q.name },
                "Purge " + q.name, "Delete every dead letter of " + q.name + "? This cannot be undone.", true));
            });
            actions.replaceChildren(forms);
            fill("dead", state.dead_letters, function (row, d) {
              var head = cell(row, d.task || "?", true);
              head.appendChild(document.createElement("br"));
              var code = document.createElement("code");
              code.textContent = d.task_id || "";
              head.appendChild(code);
              cell(row, d.queue);
              cell(row, d.error);
              cell(row, d.attempts === null ? "?" : d.attempts + (d.max_attempts ? " of " + d.max_attempts : ""));
              var args = cell(row, "");
              var argsCode = document.createElement("code");
              argsCode.textContent = d.arguments || "";
              args.appendChild(argsCode);
              cell(row, d.dead_at ? ago(now - d.dead_at) : "?");
              var form = actionForm("/internal/dashboard/dead/replay", { csrf: csrf, queue: d.queue, id: d.entry_id },
                "Replay", "Replay " + (d.task || "?") + " " + (d.task_id || "") + "?");
              form.className = "";
              form.querySelector("button").setAttribute("aria-label", "Replay " + (d.task || "?") + " " + (d.task_id || ""));
              cell(row, "").appendChild(form);
            });
            show("no-dead", state.dead_letters.length === 0);
            fill("failures", state.recent_failures, function (row, d) {
              cell(row, d.dead_at ? ago(now - d.dead_at) : "?", true);
              [d.task || "?", d.queue, d.error].forEach(function (v) { cell(row, v); });
            });
            fill("tenants", state.tenants, function (row, t) {
              cell(row, t.tenant, true);
              [t.active, t.waiting, t.oldest_waiting_at ? ago(now - t.oldest_waiting_at) : "\u2013"]
                .forEach(function (v) { cell(row, v); });
            });
            var w = state.workflows;
            fill("workflows", [w], function (row, o) {
              [o ? o.queued : "\u2013", o ? o.running : "\u2013",
               o && o.oldest_unfinished_age_s != null ? ago(o.oldest_unfinished_age_s) : "\u2013",
               o ? o.failed_last_day : "\u2013"].forEach(function (v) { cell(row, v); });
            });
            fill("workflow-failures", w ? w.recent_failures : [], function (row, f) {
              cell(row, ago(f.age_s), true);
              [f.subject_id, f.tenant_id, f.step || "\u2013", f.error || "no reason recorded"]
                .forEach(function (v) { cell(row, v); });
            });
            document.getElementById("usage-summary").textContent = usageSummary(state.usage);
            fill("usage", usageRows(state.usage), function (row, t) {
              var u = t.usage;
              cell(row, t.name, true);
              [t.tenant_id, seconds(u.audio_seconds), u.transcriptions, u.analyses, u.prompt_tokens,
               u.completion_tokens].forEach(function (v) { cell(row, v); });
            });
            status.textContent = "Read at " + clock(now) + "; refreshes every 3 s." +
              (state.unavailable.length ? " Could not read: " + state.unavailable.join(", ") + "." : "");
          }

          function refresh() {
            return fetch("/internal/dashboard/state", { credentials: "same-origin", cache: "no-store" })
              .then(function (r) {
                if (!r.ok) throw new Error("HTTP " + r.status);
                return r.json();
              })
              .then(render)
              .catch(function (e) { status.textContent = "Not refreshed (" + e.message + "); retrying."; });
          }

          document.addEventListener("submit", function (event) {
            var form = event.target;
            if (form.method.toLowerCase() !== "post" || !form.dataset.confirm) return;
            event.preventDefault();
            if (!window.confirm(form.dataset.confirm)) return;
            var body = new URLSearchParams(new FormData(form));
            fetch(form.action, {
              method: "POST", credentials: "same-origin", body: body,
              headers: { "X-CSRF-Token": csrf, "Accept": "application/json" }
            }).then(function (r) {
              if (!r.ok) throw new Error("HTTP " + r.status);
              return r.json();
            }).then(function (answer) {
              notice.textContent = answer.message;
              return refresh();
            }).catch(function (e) { notice.textContent = "The action failed (" + e.message + ")."; });
          });

          var taskForm = document.getElementById("task-form");
          taskForm.addEventListener("submit", function (event) {
            var id = document.getElementById("task-id").value.trim();
            var result = document.getElementById("task-result");
            event.preventDefault();
            if (!id) { result.textContent = "Enter a task id."; return; }
            fetch("/internal/dashboard/task/" + encodeURIComponent(id), { credentials: "same-origin" })
              .then(function (r) { return r.json(); })
              .then(function (answer) { result.textContent = answer.text; })
              .catch(function (e) { result.textContent = "Lookup failed (" + e.message + ")."; });
          });

          setInterval(refresh, every);
          refresh();
        })();

        """#

    static let stylesheet = """
        :root { color-scheme: light; --ink: #111; --muted: #444; --line: #bbb; --bad: #a40000; --good: #1b5e20;
          --accent: #0b4f9c; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
          background: #fff; }
        header, main { padding: 0.75rem 1rem; max-width: 90rem; margin: 0 auto; }
        header { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; align-items: baseline; border-bottom: 2px solid var(--ink); }
        h1 { font-size: 1.4rem; margin: 0; }
        h2 { font-size: 1.15rem; margin: 1.5rem 0 0.5rem; }
        #status { margin: 0; color: var(--muted); flex: 1 1 16rem; }
        #notice { margin: 0; font-weight: 600; }
        #notice:empty { display: none; }
        .scroll { overflow-x: auto; }
        .scroll:focus { outline: 3px solid var(--accent); outline-offset: 2px; }
        table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
        th, td { text-align: left; padding: 0.35rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        thead th { border-bottom: 2px solid var(--ink); white-space: nowrap; }
        td code, th code { font-size: 0.85rem; word-break: break-all; }
        .note { color: var(--muted); font-size: 0.9rem; }
        .bad { color: var(--bad); font-weight: 600; }
        .good { color: var(--good); }
        .inline { display: inline-block; margin: 0 0.5rem 0.5rem 0; }
        button { font: inherit; min-height: 2.5rem; padding: 0.3rem 0.9rem; border: 2px solid var(--accent);
          background: #fff; color: var(--accent); border-radius: 4px; cursor: pointer; }
        button.danger { border-color: var(--bad); color: var(--bad); }
        button:hover { background: #eef4fb; }
        button:focus-visible, input:focus-visible, a:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
        input { font: inherit; min-height: 2.5rem; padding: 0.3rem 0.5rem; border: 2px solid var(--muted);
          border-radius: 4px; max-width: 100%; }
        .skip { position: absolute; left: -999px; }
        .skip:focus { left: 1rem; top: 0.5rem; background: #fff; padding: 0.5rem; z-index: 1; }
        [hidden] { display: none !important; }
        @media (max-width: 40rem) {
          body { font-size: 15px; }
          header, main { padding: 0.5rem; }
          th, td { padding: 0.3rem 0.4rem; }
        }

        """
}
