#!/usr/bin/env python3
"""`make chaos`: fault drills against real Otto processes.

Each drill prints `PASS name: figures` or `FAIL name: figures`; the run ends with
`N passed, N failed` and exits non-zero when a drill failed. Drills use their own Redis
server (append-only, so a restart loses nothing) and a private key prefix; the PostgreSQL
drill restarts the private cluster that scripts/services.sh runs.

usage: chaos.py [--quick] [DRILL ...]   drills: kill9 redis postgres beats sigterm flood
                                        inprocess-kill9 pg-outage (scripts/chaos_noloss.py)
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("OTTO_BIN_DIR", os.path.join(ROOT, ".build", "debug"))
DATABASE_URL = os.environ["DATABASE_URL"]
QUICK = "--quick" in sys.argv
outcomes = []


def report(name, passed, figures):
    outcomes.append(passed)
    print(f"{'PASS' if passed else 'FAIL'} {name}: {figures}", flush=True)


def free_port():
    """A free port below Linux's ephemeral range (32768-60999), so no client socket takes it first."""
    import random
    while True:
        port = random.randrange(20000, 32000)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


class Redis:
    """A redis-server of the drill's own, with append-only persistence."""

    def __init__(self):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="otto-chaos-redis-")
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
             "--appendfsync", "always", "--dir", self.dir, "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            if self.cli("PING").strip() == "PONG":
                return
            time.sleep(0.02)
        raise RuntimeError("redis did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.cli("SHUTDOWN")
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def remove(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def cli(self, *args):
        return subprocess.run(["redis-cli", "-p", str(self.port), *args], capture_output=True, text=True).stdout

    def tally(self, prefix):
        items = self.cli("HGETALL", prefix + "tally").split("\n")
        items = [i for i in items if i != ""]
        return {items[i]: int(items[i + 1]) for i in range(0, len(items) - 1, 2)}


def start(binary, env, args=(), log=None):
    environment = {"PATH": "/usr/bin:/bin", "APP_ENV": "test", "LOG_FORMAT": "json", **env}
    return subprocess.Popen([os.path.join(BIN, binary), *args], env=environment,
                            stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT if log else subprocess.DEVNULL)


def stop(process, sig=signal.SIGTERM, timeout=30):
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def enqueue(env, count, args):
    output = subprocess.run([os.path.join(BIN, "otto-worker"), "enqueue", "otto.ping", "--count", str(count),
                             "--args", json.dumps(args), "--json"],
                            env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True)
    if output.returncode != 0:
        return []
    return json.loads(output.stdout)["ids"]


def wait_until(condition, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def log_file(name):
    """A temporary file for one process's output (JSON lines), removed by the caller."""
    return tempfile.NamedTemporaryFile(prefix=f"otto-chaos-{name}-", suffix=".log", delete=False)


def task_ends(path):
    """The task-end lines ("task finished") of a log file, parsed."""
    ends = []
    with open(path, errors="replace") as log:
        for line in log:
            if '"task finished"' not in line or "{" not in line:
                continue
            try:
                ends.append(json.loads(line[line.index("{"):]))
            except ValueError:
                pass
    return ends


def succeeded_ids(path):
    """{task id: how many succeeded end lines} of a log file: a run that ended, not one that began."""
    counts = {}
    for end in task_ends(path):
        if end.get("outcome") == "succeeded":
            counts[end["task_id"]] = counts.get(end["task_id"], 0) + 1
    return counts


def count_succeeded(path):
    """How many succeeded end lines a log file has (a cheap count, for polling)."""
    with open(path, errors="replace") as log:
        return sum(1 for line in log if '"task finished"' in line and '"outcome":"succeeded"' in line)


def ended_ids(path):
    return {end["task_id"] for end in task_ends(path)}


def runs_spanning(path, moment, name=None):
    """Task ids whose run (timestamp less duration_ms … timestamp) spans `moment` (unix seconds)."""
    from datetime import datetime
    found = set()
    for end in task_ends(path):
        if name and end.get("task_name") != name:
            continue
        try:
            finished = datetime.fromisoformat(end["timestamp"].replace("Z", "+00:00")).timestamp()
        except (KeyError, ValueError):
            continue
        if finished - float(end.get("duration_ms", 0)) / 1000 <= moment <= finished:
            found.add(end["task_id"])
    return found


def remove(*files):
    for file in files:
        try:
            os.unlink(file.name)
        except OSError:
            pass


def http_status(url, timeout=2.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except Exception:
        return 0


def drill_kill9():
    tasks = 2000 if QUICK else 10000
    concurrency = 4
    redis = Redis()
    redis.start()
    prefix = "chaos-kill9:"
    env = {"REDIS_URL": redis.url, "REDIS_KEY_PREFIX": prefix, "ENABLE_CELERY": "true", "DATABASE_URL": DATABASE_URL,
           "WORKER_VISIBILITY_TIMEOUT": "3", "WORKER_CONCURRENCY": str(concurrency)}
    first_log, second_log = log_file("kill9-first"), log_file("kill9-second")
    second = None
    try:
        # All enqueued first, so the worker runs at full concurrency when it is killed.
        ids = enqueue(env, tasks, {"delay_ms": 10, "tally": "tally"})
        first = start("otto-worker", env, log=first_log)
        wait_until(lambda: count_succeeded(first_log.name) >= tasks * 0.3, 180, 0.05)
        # Kill while tasks run (started, not ended): on a loaded machine the worker can be between
        # reads with nothing running, and a kill then interrupts nothing.
        wait_until(lambda: len(set(redis.tally(prefix)) - ended_ids(first_log.name)) >= 2, 10, 0.001)
        first.send_signal(signal.SIGKILL)
        first.wait()
        # Held by the dead worker: delivered, not acknowledged (running, prefetched, or succeeded
        # with the acknowledgement still buffered).
        pending = redis.cli("XPENDING", prefix + "{default}:stream", "otto-workers").split("\n")[0].strip()
        pending = int(pending or 0)
        done_first = succeeded_ids(first_log.name)
        # Running at the kill: started (otto.ping's tally counts a run as it begins), never ended.
        interrupted = set(redis.tally(prefix)) - ended_ids(first_log.name)
        second = start("otto-worker", env, log=second_log)
        wait_until(lambda: len(set(done_first) | set(succeeded_ids(second_log.name))) >= tasks, 300, 0.5)
        stop(second)
        done_second = succeeded_ids(second_log.name)
        succeeded = set(done_first) | set(done_second)
        lost = len(set(ids) - succeeded)
        twice = len(set(done_first) & set(done_second))
        resumed = len(interrupted & set(done_second))
        report("kill9", lost == 0 and len(ids) == tasks and 1 <= len(interrupted) <= concurrency
               and resumed == len(interrupted) and twice <= pending,
               f"{tasks} tasks, killed after {len(done_first)} succeeded, with {len(interrupted)} running "
               f"(concurrency {concurrency}) and {pending} pending; the second worker ran {resumed} of the "
               f"interrupted ones to success; lost {lost} (must be 0), succeeded twice {twice} (at most the "
               f"{pending} pending at the kill)")
    finally:
        if second:
            stop(second)
        redis.remove()
        remove(first_log, second_log)


class WebhookLoad:
    """Signed Twilio webhooks, each a new call, from a background thread (about 20 a second):
    every answer is recorded, so none is ignored."""

    def __init__(self, base, tenant, rate=20):
        self.base, self.tenant, self.rate, self.running = base, tenant, rate, True
        self.answers = {}  # call sid -> status (0: no answer)
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        index = 0
        stamp = int(time.time())
        while self.running:
            sid = f"CAdr{stamp}{index:06d}"
            index += 1
            self.answers[sid] = chaos_noloss.webhook(self.base, self.tenant, sid)
            time.sleep(1 / self.rate)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()


def watch_ready(port, outage_start, stop_flag):
    """Times from outage start until /ready turns 503, and until it is 200 again."""
    timings = {"to_503": None, "back_200": None}
    went_down = False
    while not stop_flag.is_set():
        status = http_status(f"http://127.0.0.1:{port}/ready", timeout=2)
        now = time.monotonic()
        if outage_start[0] is not None:
            if not went_down and status == 503:
                went_down = True
                timings["to_503"] = round(now - outage_start[0], 2)
            elif went_down and status == 200 and timings["back_200"] is None and outage_start[1] is not None:
                timings["back_200"] = round(now - outage_start[1], 2)
        time.sleep(0.05)
    return timings


def restart_dependency(name, redis, outage, lock):
    """Stops Redis or PostgreSQL for three seconds and starts it again, timing the outage. The
    drill's lock on `calls` goes with PostgreSQL; with Redis it is released once Redis is back."""
    outage[0] = time.monotonic()
    if name == "redis":
        redis.stop()
        time.sleep(3)
        redis.start()
        lock.release()
    else:
        data = os.path.realpath(os.path.join(ROOT, ".local", "pg", "data"))
        bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
        user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(user + [f"{bindir}/pg_ctl", "-D", data, "stop", "-m", "fast", "-w"], capture_output=True)
        time.sleep(3)
        subprocess.run(user + [f"{bindir}/pg_ctl", "-D", data, "start", "-w", "-l",
                               os.path.join(os.path.dirname(data), "postgres.log")], capture_output=True)
    outage[1] = time.monotonic()


def drill_dependency_restart(name):
    """Restart Redis or PostgreSQL under load that uses both: signed webhooks (stored in
    PostgreSQL, processed by tasks from Redis), otto.ping tasks, and /ready. Webhook tasks are
    surely in flight at the outage: a lock on `calls`, held by the drill, makes them wait."""
    duration = 20 if QUICK else 60
    redis = Redis()
    redis.start()
    prefix = f"chaos-{name}:"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {"REDIS_URL": redis.url, "REDIS_KEY_PREFIX": prefix, "ENABLE_CELERY": "true", "DATABASE_URL": DATABASE_URL,
           "PORT": str(port), "HOST": "127.0.0.1", "WORKER_VISIBILITY_TIMEOUT": "3", "WORKER_CONCURRENCY": "8",
           "TWILIO_AUTH_TOKEN": chaos_noloss.TOKEN, "PUBLIC_BASE_URL": base, "RATE_LIMIT_WEBHOOKS": "100000/1m",
           "ENABLE_CELERY_BEAT": "true", "BEAT_CANARY_INTERVAL": "0", "WEBHOOK_SWEEP_DEADLINE": "10"}
    worker_log = log_file(f"{name}-worker")
    api = worker = beat = lock = None
    try:
        # Started inside the try: a start that fails still stops what came before it.
        tenant = chaos_noloss.create_tenant(env)
        api = start("otto-api", env)
        worker = start("otto-worker", env, log=worker_log)
        beat = start("otto-beat", env)
        wait_until(lambda: http_status(f"{base}/ready") == 200, 30)
        outage = [None, None]
        stop_flag = threading.Event()
        timings = {}
        watcher = threading.Thread(target=lambda: timings.update(watch_ready(port, outage, stop_flag)), daemon=True)
        watcher.start()
        enqueued, failed_enqueues, in_flight, restarter = [], 0, 0, None
        with WebhookLoad(base, tenant) as load:
            began = time.monotonic()
            while time.monotonic() - began < duration:
                ids = enqueue(env, 20, {"delay_ms": 20, "tally": "tally"})
                if ids:
                    enqueued += ids
                else:
                    failed_enqueues += 1
                if restarter is None and time.monotonic() - began > duration / 3:
                    # The webhook tasks wait on the lock, holding their attempt, when the outage begins.
                    lock = chaos_noloss.TableLock("calls", "EXCLUSIVE")
                    wait_until(lambda: chaos_noloss.lock_waiters() >= 1, 30, 0.1)
                    in_flight = chaos_noloss.lock_waiters()
                    restarter = threading.Thread(target=restart_dependency, args=(name, redis, outage, lock),
                                                 daemon=True)
                    restarter.start()
                time.sleep(0.5)
        restarter.join()
        if lock:
            lock.release()
        # A provider re-sends what got 503; the drill does the same once the load has stopped.
        refused = [sid for sid, status in load.answers.items() if status == 503]
        resent = {sid: chaos_noloss.webhook(base, tenant, sid) for sid in refused}
        unanswered = {sid: status for sid, status in load.answers.items() if status not in (200, 503)}
        accepted = sum(1 for status in load.answers.values() if status == 200) \
            + sum(1 for status in resent.values() if status == 200)
        wait_until(lambda: chaos_noloss.counts(tenant)[1] >= accepted, 120, 0.5)
        wait_until(lambda: set(enqueued) <= set(succeeded_ids(worker_log.name)), 120, 0.5)
        stop_flag.set()
        watcher.join()
        stored, processed = chaos_noloss.counts(tenant)
        lost_webhooks = accepted - processed
        lost_tasks = len(set(enqueued) - set(succeeded_ids(worker_log.name)))
        alive = api.poll() is None and worker.poll() is None and beat.poll() is None
        passed = (lost_webhooks == 0 and stored == accepted and not unanswered and lost_tasks == 0 and in_flight >= 1
                  and all(status == 200 for status in resent.values()) and alive
                  and timings.get("to_503") is not None and timings.get("back_200") is not None)
        report(f"{name}-restart", passed,
               f"{duration} s of load; {len(load.answers)} signed webhooks: "
               f"{sum(1 for s in load.answers.values() if s == 200)} accepted, {len(refused)} refused with 503 "
               f"(re-sent after the outage: {sum(1 for s in resent.values() if s == 200)} accepted), other answers "
               f"{sorted(unanswered.values())} (must be none); processed {processed} of {stored} stored, lost "
               f"{lost_webhooks}; webhook tasks in flight at the outage {in_flight}; otto.ping tasks succeeded "
               f"{len(set(enqueued)) - lost_tasks} of {len(set(enqueued))} (lost {lost_tasks}), enqueue calls "
               f"refused during the outage {failed_enqueues}; /ready 503 after {timings.get('to_503')} s, 200 again "
               f"{timings.get('back_200')} s after the restart; processes alive {alive}")
    finally:
        if lock:
            lock.release()
        for process in (api, worker, beat):
            if process:
                stop(process)
        redis.remove()
        remove(worker_log)


def tick_attempts(paths):
    """{tick: [(log index, created)]} from the canary's "tick enqueued" lines of beat logs."""
    attempts = {}
    for index, path in enumerate(paths):
        with open(path, errors="replace") as log:
            for line in log:
                if '"tick enqueued"' not in line or '"schedule":"canary"' not in line:
                    continue
                try:
                    fields = json.loads(line[line.index("{"):])
                    attempts.setdefault(int(fields["tick"]), []).append((index, bool(fields["created"])))
                except (ValueError, KeyError):
                    pass
    return attempts


def stream_ticks(redis, prefix):
    raw = redis.cli("--no-raw", "XRANGE", prefix + "{default}:stream", "-", "+")
    ticks = []
    for line in raw.splitlines():
        if "beat:canary:" in line:
            try:
                text = line.split('"', 1)[1].rsplit('"', 1)[0].encode().decode("unicode_escape")
                key = json.loads(text)["dedup_key"]
                ticks.append(int(key.rsplit(":", 1)[1]))
            except (ValueError, KeyError, IndexError):
                pass
    return ticks


def drill_beats():
    duration = 30 if QUICK else 60
    redis = Redis()
    redis.start()
    prefix = "chaos-beats:"
    env = {"REDIS_URL": redis.url, "REDIS_KEY_PREFIX": prefix, "ENABLE_CELERY_BEAT": "true",
           "BEAT_CANARY_INTERVAL": "1", "BEAT_LEASE_TTL": "3"}
    logs = [log_file("beat") for _ in range(3)]
    beats = [start("otto-beat", env, log=logs[0]), start("otto-beat", env, log=logs[1])]
    try:
        # The first leader schedules for half the drill, its successor for the other half.
        wait_until(lambda: len(stream_ticks(redis, prefix)) >= duration // 2, duration * 3, 0.25)
        holder = redis.cli("GET", prefix + "beat:leader").strip()
        leader = next((b for b in beats if f"-{b.pid}-" in holder), None)
        killed_log = beats.index(leader) if leader else None
        killed_at = int(time.time())
        if leader:
            leader.send_signal(signal.SIGKILL)
            leader.wait()
            beats.remove(leader)
            beats.append(start("otto-beat", env, log=logs[2]))
        wait_until(lambda: max(stream_ticks(redis, prefix) or [0]) >= killed_at + duration // 2, duration * 3, 0.25)
        for beat in beats:
            stop(beat)
        counts = {}
        for tick in stream_ticks(redis, prefix):
            counts[tick] = counts.get(tick, 0) + 1
        doubled = sum(1 for c in counts.values() if c > 1)
        first, last = (min(counts), max(counts)) if counts else (0, -1)
        missed = sum(1 for t in range(first, last + 1) if t not in counts)
        # One beat enqueued each tick (the de-duplication key would hide a second leader's
        # attempt, logged with created=false); at the hand-over the killed leader's last tick may
        # be enqueued again by its successor, if it died before recording it.
        attempts = tick_attempts([log.name for log in logs])
        killed_last = max((t for t, made in attempts.items() if any(i == killed_log for i, _ in made)), default=None)
        hand_over = {killed_last, killed_last + 1} if killed_last is not None else set()
        twice = [t for t in counts if t not in hand_over and not (len(attempts.get(t, [])) == 1
                                                                   and attempts[t][0][1])]
        report("beats", doubled == 0 and missed == 0 and leader is not None and not twice
               and first < killed_at < last - duration // 2 + 1,
               f"two beats, one-second canary, leader killed once: {len(counts)} ticks from {first} to {last} "
               f"(killed at {killed_at}), missed {missed}, doubled {doubled}, ticks not enqueued by exactly one "
               f"beat {len(twice)}")
    finally:
        for beat in beats:
            stop(beat)
        redis.remove()
        remove(*logs)


def drill_sigterm():
    grace = 10
    redis = Redis()
    redis.start()
    prefix = "chaos-sigterm:"
    env = {"REDIS_URL": redis.url, "REDIS_KEY_PREFIX": prefix, "ENABLE_CELERY": "true", "DATABASE_URL": DATABASE_URL,
           "WORKER_CONCURRENCY": "4", "WORKER_SHUTDOWN_GRACE": str(grace), "WORKER_VISIBILITY_TIMEOUT": "2"}
    first_log, next_log = log_file("sigterm-first"), log_file("sigterm-next")
    successor = None
    try:
        ids = enqueue(env, 20, {"delay_ms": 1000, "tally": "tally"})
        worker = start("otto-worker", env, log=first_log)
        wait_until(lambda: len(redis.tally(prefix)) >= 4, 30, 0.05)
        in_flight = set(redis.tally(prefix))
        began = time.monotonic()
        code = stop(worker, signal.SIGTERM, timeout=60)
        elapsed = round(time.monotonic() - began, 2)
        # Measured from the worker's end lines: which of the tasks running at the signal succeeded.
        finished = set(succeeded_ids(first_log.name))
        started = set(redis.tally(prefix))
        remaining = int(redis.cli("XLEN", prefix + "{default}:stream").strip() or 0)
        left = set(ids) - finished
        # The rest runs on the next worker, once each.
        successor = start("otto-worker", env, log=next_log)
        wait_until(lambda: left <= set(succeeded_ids(next_log.name)), 60, 0.25)
        stop(successor)
        ran_next = set(succeeded_ids(next_log.name))
        runs = redis.tally(prefix)
        # The bound is the contract: the grace, and a second to exit. Measured here: the tasks'
        # 1 s and about 0.1 s more.
        report("sigterm", code == 0 and elapsed < grace + 1 and len(ids) == 20 and in_flight <= finished
               and finished == started and len(left) > 0 and remaining == len(left) and ran_next == left
               and sorted(runs.values()) == [1] * 20,
               f"{len(in_flight)} in flight at SIGTERM, {len(in_flight & finished)} of them finished (succeeded end "
               f"lines), {len(finished - in_flight)} others; exit code {code} after {elapsed} s (grace {grace} s); "
               f"{remaining} left in the stream, the next worker ran {len(ran_next & left)} of those {len(left)}; "
               f"runs per task {sorted(set(runs.values()))}")
    finally:
        if successor:
            stop(successor)
        redis.remove()
        remove(first_log, next_log)


def twilio_signature(token, url, params):
    """Twilio's rule: base64(HMAC-SHA1(token, url + name1 + value1 + … sorted by name))."""
    import base64
    import hashlib
    import hmac
    payload = url + "".join(name + params[name] for name in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()).decode()


def drill_flood():
    """10x the webhook rate limit on one tenant; another tenant's signed webhooks still succeed."""
    port = free_port()
    redis = Redis()
    redis.start()
    base = f"http://127.0.0.1:{port}"
    token = "0123456789abcdef0123456789abcdef"
    env = {"REDIS_URL": redis.url, "DATABASE_URL": DATABASE_URL, "PORT": str(port), "HOST": "127.0.0.1",
           "RATE_LIMIT_WEBHOOKS": "50/1m", "REDIS_KEY_PREFIX": "chaos-flood:", "TWILIO_AUTH_TOKEN": token,
           "CALLRAIL_SIGNING_KEY": "chaos", "PUBLIC_BASE_URL": base}
    api = None
    try:
        created = subprocess.run([os.path.join(BIN, "otto-api"), "tenants", "create", "--clerk-org",
                                  f"org_chaos_{int(time.time())}", "--name", "Other", "--json"],
                                 env={"PATH": "/usr/bin:/bin", "APP_ENV": "test", **env}, capture_output=True,
                                 text=True)
        other = json.loads(created.stdout)["id"]
        api = start("otto-api", env)
        wait_until(lambda: http_status(f"{base}/health") == 200, 30)
        flooded = "00000000-0000-4000-8000-000000000001"
        flood_began = time.monotonic()
        statuses = [post_status(f"{base}/webhooks/twilio/{flooded}", b"CallSid=CA1&CallStatus=ringing", {})
                    for _ in range(500)]
        flood_took = time.monotonic() - flood_began
        limited = statuses.count(429)
        others = []
        for index in range(10):
            params = {"CallSid": f"CAchaos{index:04d}{int(time.time())}", "CallStatus": "completed",
                      "From": "+15551230000", "To": "+15559870000", "Direction": "inbound"}
            url = f"{base}/webhooks/twilio/{other}"
            body = urllib.parse.urlencode(params).encode()
            others.append(post_status(url, body, {"X-Twilio-Signature": twilio_signature(token, url, params)}))
        succeeded = sum(1 for status in others if status == 200)
        forged = statuses.count(403)
        stored = int(chaos_noloss.psql("SELECT count(*) FROM webhook_events", other) or 0)
        # Every answer counts. The budget (a burst of 50, then one per 1.2 s) lets the first 50
        # through to the signature check (403), then only what refills while the flood lasts;
        # every other answer is 429, none anything else.
        refill = int(flood_took / 1.2) + 1
        others_answers = [status for status in statuses if status not in (403, 429)]
        report("flood", statuses[:50] == [403] * 50 and not others_answers and forged <= 50 + refill
               and succeeded == len(others) and stored == len(others),
               f"500 forged webhooks naming one tenant at limit 50/1m in {flood_took:.1f} s: {forged} refused with "
               f"403 (the first 50 all: {statuses[:50] == [403] * 50}; refill allows {refill} more), {limited} "
               f"with 429 (the sender's address bucket), other answers {others_answers} (must be none); "
               f"another tenant's 10 signed webhooks from the same address: {succeeded} accepted with 200 "
               f"(statuses {sorted(set(others))}), {stored} stored")
    finally:
        if api:
            stop(api)
        redis.remove()


def post_status(url, body, headers):
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded", **headers})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except Exception:
        return 0


DRILLS = {"kill9": drill_kill9, "redis": lambda: drill_dependency_restart("redis"),
          "postgres": lambda: drill_dependency_restart("postgres"), "beats": drill_beats, "sigterm": drill_sigterm,
          "flood": drill_flood}

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chaos_noloss  # noqa: E402  (the no-loss drills share this module's helpers)

chaos_noloss.bind(sys.modules[__name__])
DRILLS.update({"inprocess-kill9": chaos_noloss.drill_inprocess_kill9, "pg-outage": chaos_noloss.drill_pg_outage})


def main():
    chosen = [a for a in sys.argv[1:] if not a.startswith("--")] or list(DRILLS)
    for name in chosen:
        try:
            DRILLS[name]()
        except Exception as error:  # a drill that crashes is a failed drill
            report(name, False, f"drill error: {error!r}")
    passed = sum(outcomes)
    print(f"{passed} passed, {len(outcomes) - passed} failed")
    sys.exit(0 if all(outcomes) else 1)


if __name__ == "__main__":
    main()
