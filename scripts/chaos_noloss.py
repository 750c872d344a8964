"""The no-loss drills of `make chaos` (scripts/chaos.py runs them): PostgreSQL is the source of
truth for webhook events, in either mode.

- inprocess-kill9: ENABLE_CELERY=false; webhooks arrive while their in-process tasks wait on the
  database; otto-api is killed with -9; a restarted otto-api's own sweep processes every event.
- pg-outage: ENABLE_CELERY=true; PostgreSQL goes away for longer than the webhook tasks' retry
  budget (DATABASE_RETRY_SPAN, short here), every task is dead-lettered; once PostgreSQL is back
  the beat's sweep runs every event again.

Both use the development database (migrated by scripts/chaos.sh) and a tenant of their own, and
report what they counted. The deadline and the retry span are operator settings
(WEBHOOK_SWEEP_DEADLINE, DATABASE_RETRY_SPAN), given short values here so a drill takes a
minute, not the production ten.
"""

import concurrent.futures
import json
import os
import subprocess
import tempfile
import time
import urllib.parse

# scripts/chaos.py, bound by it at import (it runs as __main__, so importing it by name here
# would run a second copy with its own tally of outcomes).
c = None


def bind(chaos_module):
    global c
    c = chaos_module


TOKEN = "0123456789abcdef0123456789abcdef"


def psql(sql, tenant=None):
    """One statement as the application role; with `tenant`, inside that tenant's scope."""
    args = ["psql", c.DATABASE_URL, "-At", "-v", "ON_ERROR_STOP=1", "--single-transaction"]
    if tenant:
        args += ["-c", f"SELECT set_config('app.tenant_id', '{tenant}', true)"]
    args += ["-c", sql]
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"psql failed: {result.stderr.strip()}")
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


class TableLock:
    """LOCK TABLE … held by a psql session of the drill's own until release()."""

    def __init__(self, table, mode):
        self.session = subprocess.Popen(["psql", c.DATABASE_URL, "-At", "-v", "ON_ERROR_STOP=1"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        text=True)
        self.session.stdin.write(f"BEGIN; LOCK TABLE {table} IN {mode} MODE; SELECT 'locked';\n")
        self.session.stdin.flush()
        while self.session.stdout.readline().strip() != "locked":
            if self.session.poll() is not None:
                raise RuntimeError("the lock was not taken")

    def release(self):
        """Commits and quits; a session whose server went away (a drill stopped PostgreSQL) just quits."""
        if self.session.poll() is None:
            try:
                self.session.stdin.write("COMMIT;\n\\q\n")
                self.session.stdin.flush()
                self.session.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.session.kill()
                self.session.wait()


def otto_backends():
    """Sessions of otto processes on the drill's database (otto-api's in-process tasks have a
    pool of their own, `otto-tasks`)."""
    return int(psql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND application_name IN ('otto', 'otto-tasks')") or 0)


def lock_waiters():
    return int(psql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND application_name IN ('otto', 'otto-tasks')") or 0)


def create_tenant(env):
    created = subprocess.run([os.path.join(c.BIN, "otto-api"), "tenants", "create", "--clerk-org",
                              f"org_chaos_noloss_{int(time.time() * 1000)}", "--name", "Drill", "--json"],
                             env={"PATH": "/usr/bin:/bin", "APP_ENV": "test", **env}, capture_output=True, text=True)
    return json.loads(created.stdout)["id"]


def webhook(base, tenant, call_sid, status="ringing"):
    params = {"AccountSid": "AC" + "0" * 32, "CallSid": call_sid, "CallStatus": status, "From": "+15551230000",
              "To": "+15559870000", "Direction": "inbound"}
    url = f"{base}/webhooks/twilio/{tenant}"
    body = urllib.parse.urlencode(params).encode()
    return c.post_status(url, body, {"X-Twilio-Signature": c.twilio_signature(TOKEN, url, params)})


def send_all(base, tenant, sids):
    """Signed deliveries, 16 at a time; returns {call sid: status}."""
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        return dict(zip(sids, pool.map(lambda sid: webhook(base, tenant, sid), sids)))


def counts(tenant):
    stored = int(psql("SELECT count(*) FROM webhook_events", tenant) or 0)
    processed = int(psql("SELECT count(*) FROM webhook_events WHERE processed_at IS NOT NULL", tenant) or 0)
    return stored, processed


def api_env(port, **extra):
    return {"DATABASE_URL": c.DATABASE_URL, "PORT": str(port), "HOST": "127.0.0.1", "TWILIO_AUTH_TOKEN": TOKEN,
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", **extra}


def drill_inprocess_kill9():
    events = 100 if c.QUICK else 500
    port = c.free_port()
    base = f"http://127.0.0.1:{port}"
    env = api_env(port, ENABLE_CELERY="false", WEBHOOK_SWEEP_DEADLINE="10")
    tenant = create_tenant(env)
    api = c.start("otto-api", env)
    lock = None
    restarted = None
    try:
        c.wait_until(lambda: c.http_status(f"{base}/health") == 200, 30)
        # The tasks' upserts wait on the calls table, so they are surely running at the kill.
        lock = TableLock("calls", "EXCLUSIVE")
        statuses = send_all(base, tenant, [f"CAnl{index:05d}{int(time.time())}" for index in range(events)])
        accepted = sum(1 for s in statuses.values() if s == 200)
        c.wait_until(lambda: lock_waiters() >= 4, 30, 0.2)
        in_flight = lock_waiters()
        api.kill()
        api.wait()
        lock.release()
        # The killed process's backends notice their client is gone and roll back.
        c.wait_until(lambda: otto_backends() == 0, 60, 0.2)
        _, processed_after_kill = counts(tenant)
        began = time.monotonic()
        restarted = c.start("otto-api", env)
        c.wait_until(lambda: counts(tenant)[1] >= accepted, 180, 0.5)
        recovery = round(time.monotonic() - began, 1)
        stored, processed = counts(tenant)
        lost = accepted - processed
        c.report("inprocess-kill9", accepted == events and lost == 0 and in_flight == 4 and stored == events,
                 f"{events} webhooks, {accepted} accepted with 200 while their tasks waited on the database; "
                 f"kill -9 with {in_flight} tasks running (the bound is 4) and {events - in_flight} queued in "
                 f"memory; processed before the restart {processed_after_kill}; the restarted API's own sweep "
                 f"(WEBHOOK_SWEEP_DEADLINE=10) processed {processed} of {stored} stored in {recovery} s; lost {lost}")
    finally:
        if lock:
            lock.release()
        c.stop(api)
        if restarted:
            c.stop(restarted)


def pg_ctl(action):
    data = os.path.realpath(os.path.join(c.ROOT, ".local", "pg", "data"))
    bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
    user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    args = [f"{bindir}/pg_ctl", "-D", data, action, "-w"]
    if action == "stop":
        args += ["-m", "fast"]
    else:
        args += ["-l", os.path.join(os.path.dirname(data), "postgres.log")]
    subprocess.run(user + args, capture_output=True, cwd="/")


def dead_webhook_tasks(log_path):
    dead = set()
    with open(log_path, errors="replace") as log:
        for line in log:
            if '"task finished"' in line and '"process_webhook_event"' in line and '"outcome":"dead"' in line:
                try:
                    dead.add(json.loads(line[line.index("{"):])["task_id"])
                except (ValueError, KeyError):
                    pass
    return len(dead)


def drill_pg_outage():
    events = 50 if c.QUICK else 200
    redis = c.Redis()
    redis.start()
    port = c.free_port()
    base = f"http://127.0.0.1:{port}"
    env = api_env(port, ENABLE_CELERY="true", ENABLE_CELERY_BEAT="true", REDIS_URL=redis.url,
                  REDIS_KEY_PREFIX="chaos-pg-outage:", BEAT_CANARY_INTERVAL="0", WEBHOOK_SWEEP_DEADLINE="10",
                  DATABASE_RETRY_SPAN="5", LOG_FORMAT="json")
    tenant = create_tenant(env)
    api = c.start("otto-api", env)
    worker_log = tempfile.NamedTemporaryFile(prefix="otto-chaos-worker-", suffix=".log", delete=False)
    worker = beat = None
    pg_down = False
    try:
        c.wait_until(lambda: c.http_status(f"{base}/health") == 200, 30)
        before = send_all(base, tenant, [f"CApo{index:05d}{int(time.time())}" for index in range(events)])
        accepted = sum(1 for s in before.values() if s == 200)
        # PostgreSQL goes away with every task still in Redis; then the worker and beat start.
        pg_ctl("stop")
        pg_down = True
        outage_began = time.monotonic()
        worker = c.start("otto-worker", env, log=worker_log)
        beat = c.start("otto-beat", env)
        during = send_all(base, tenant, [f"CApd{index:03d}{int(time.time())}" for index in range(10)])
        refused = [sid for sid, s in during.items() if s == 503]
        c.wait_until(lambda: dead_webhook_tasks(worker_log.name) >= accepted, 180, 0.5)
        exhausted_after = round(time.monotonic() - outage_began, 1)
        dead = dead_webhook_tasks(worker_log.name)
        time.sleep(5)  # the scenario, not a wait for an event: the outage outlasts the retry budget
        pg_ctl("start")
        pg_down = False
        outage = round(time.monotonic() - outage_began, 1)
        back = time.monotonic()
        # A provider retries what got 503; those are stored now.
        resent = send_all(base, tenant, refused)
        accepted_later = sum(1 for s in resent.values() if s == 200)
        total = accepted + accepted_later
        c.wait_until(lambda: counts(tenant)[1] >= total, 180, 0.5)
        recovery = round(time.monotonic() - back, 1)
        stored, processed = counts(tenant)
        lost = total - processed
        c.report("pg-outage", accepted == events and dead == events and lost == 0 and len(refused) == 10
                 and accepted_later == len(refused),
                 f"{events} webhooks stored and enqueued; PostgreSQL down {outage} s, longer than the retry "
                 f"budget (DATABASE_RETRY_SPAN=5): {dead} tasks dead-lettered after {exhausted_after} s; "
                 f"{len(refused)} webhooks during the outage got 503 and were stored when re-sent; "
                 f"after PostgreSQL returned the beat's sweep (WEBHOOK_SWEEP_DEADLINE=10) processed "
                 f"{processed} of {stored} in {recovery} s; lost {lost}")
    finally:
        if pg_down:
            pg_ctl("start")
        for process in (beat, worker, api):
            if process:
                c.stop(process)
        redis.remove()
        os.unlink(worker_log.name)
