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
    redis = Redis()
    redis.start()
    prefix = "chaos-kill9:"
    env = {"REDIS_URL": redis.url, "REDIS_KEY_PREFIX": prefix, "ENABLE_CELERY": "true", "DATABASE_URL": DATABASE_URL,
           "WORKER_VISIBILITY_TIMEOUT": "3"}
    try:
        first = start("otto-worker", env)
        ids = enqueue(env, tasks, {"delay_ms": 1, "tally": "tally"})
        wait_until(lambda: len(redis.tally(prefix)) >= tasks * 0.3, 120, 0.05)
        first.send_signal(signal.SIGKILL)
        first.wait()
        pending = redis.cli("XPENDING", prefix + "{default}:stream", "otto-workers").split("\n")[0].strip()
        in_flight = int(pending or 0)
        second = start("otto-worker", env)
        wait_until(lambda: len(redis.tally(prefix)) >= tasks, 180, 0.2)
        tally = redis.tally(prefix)
        stop(second)
        lost = len(set(ids) - set(tally))
        twice = sum(tally.values()) - len(tally)
        report("kill9", lost == 0 and twice <= in_flight and len(ids) == tasks,
               f"{tasks} tasks, killed at {int(tasks * 0.3)}+ done; lost {lost} (must be 0), run twice {twice} "
               f"(at most the {in_flight} in flight at the kill)")
    finally:
        redis.remove()


class Load:
    """Steady API requests from a background thread, counting failures per second."""

    def __init__(self, url, rate=50):
        self.url, self.rate, self.running = url, rate, True
        self.failures, self.requests, self.samples = 0, 0, []
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while self.running:
            status = http_status(self.url, timeout=1)
            self.requests += 1
            if status != 200:
                self.failures += 1
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


def restart_dependency(name, redis, outage):
    """Stops Redis or PostgreSQL for three seconds and starts it again, timing the outage."""
    outage[0] = time.monotonic()
    if name == "redis":
        redis.stop()
        time.sleep(3)
        redis.start()
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
    """Restart Redis or PostgreSQL during mixed load of API requests and tasks."""
    duration = 20 if QUICK else 60
    redis = Redis()
    redis.start()
    prefix = f"chaos-{name}:"
    port = free_port()
    env = {"REDIS_URL": redis.url, "REDIS_KEY_PREFIX": prefix, "ENABLE_CELERY": "true", "DATABASE_URL": DATABASE_URL,
           "PORT": str(port), "HOST": "127.0.0.1", "WORKER_VISIBILITY_TIMEOUT": "3"}
    api = start("otto-api", env)
    worker = start("otto-worker", env)
    try:
        wait_until(lambda: http_status(f"http://127.0.0.1:{port}/ready") == 200, 30)
        outage = [None, None]
        stop_flag = threading.Event()
        timings = {}
        watcher = threading.Thread(target=lambda: timings.update(watch_ready(port, outage, stop_flag)), daemon=True)
        watcher.start()
        enqueued, failed_enqueues = [], 0
        with Load(f"http://127.0.0.1:{port}/health") as health_load:
            began = time.monotonic()
            restarted = False
            while time.monotonic() - began < duration:
                ids = enqueue(env, 20, {"delay_ms": 2, "tally": "tally"})
                if ids:
                    enqueued += ids
                else:
                    failed_enqueues += 1
                if not restarted and time.monotonic() - began > duration / 3:
                    restarted = True
                    restarter = threading.Thread(target=restart_dependency, args=(name, redis, outage), daemon=True)
                    restarter.start()
                time.sleep(0.5)
        restarter.join()
        wait_until(lambda: len(redis.tally(prefix)) >= len(set(enqueued)), 60, 0.2)
        time.sleep(1)
        stop_flag.set()
        watcher.join()
        lost = len(set(enqueued) - set(redis.tally(prefix)))
        alive = api.poll() is None and worker.poll() is None
        passed = lost == 0 and alive and health_load.failures == 0 and timings.get("to_503") is not None \
            and timings.get("back_200") is not None
        report(f"{name}-restart", passed,
               f"{duration} s load; /health failures {health_load.failures} of {health_load.requests}; "
               f"/ready 503 after {timings.get('to_503')} s, 200 again {timings.get('back_200')} s after the restart; "
               f"enqueue calls refused during the outage {failed_enqueues}; tasks lost {lost} of {len(set(enqueued))}; "
               f"processes alive {alive}")
    finally:
        stop(api)
        stop(worker)
        redis.remove()


def drill_beats():
    duration = 30 if QUICK else 60
    redis = Redis()
    redis.start()
    prefix = "chaos-beats:"
    env = {"REDIS_URL": redis.url, "REDIS_KEY_PREFIX": prefix, "ENABLE_CELERY_BEAT": "true",
           "BEAT_CANARY_INTERVAL": "1", "BEAT_LEASE_TTL": "3"}
    beats = [start("otto-beat", env), start("otto-beat", env)]
    try:
        began_wall = int(time.time())
        time.sleep(duration / 2)
        holder = redis.cli("GET", prefix + "beat:leader").strip()
        leader = next((b for b in beats if f"-{b.pid}-" in holder), None)
        if leader:
            leader.send_signal(signal.SIGKILL)
            leader.wait()
            beats.remove(leader)
            beats.append(start("otto-beat", env))
        time.sleep(duration / 2)
        end_wall = int(time.time()) - 5
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
        counts = {}
        for tick in ticks:
            counts[tick] = counts.get(tick, 0) + 1
        doubled = sum(1 for c in counts.values() if c > 1)
        first = min(counts) if counts else began_wall
        missed = sum(1 for t in range(first, end_wall + 1) if t not in counts)
        report("beats", doubled == 0 and missed == 0 and leader is not None,
               f"{duration} s, two beats, one-second canary, leader killed once: {len(counts)} ticks, "
               f"missed {missed}, doubled {doubled}")
    finally:
        for beat in beats:
            stop(beat)
        redis.remove()


def drill_sigterm():
    redis = Redis()
    redis.start()
    prefix = "chaos-sigterm:"
    env = {"REDIS_URL": redis.url, "REDIS_KEY_PREFIX": prefix, "ENABLE_CELERY": "true", "DATABASE_URL": DATABASE_URL,
           "WORKER_CONCURRENCY": "4", "WORKER_SHUTDOWN_GRACE": "10"}
    try:
        worker = start("otto-worker", env)
        enqueue(env, 20, {"delay_ms": 2000, "tally": "tally"})
        wait_until(lambda: len(redis.tally(prefix)) >= 4, 20, 0.05)
        started = set(redis.tally(prefix))
        began = time.monotonic()
        code = stop(worker, signal.SIGTERM, timeout=25)
        elapsed = round(time.monotonic() - began, 2)
        remaining = int(redis.cli("XLEN", prefix + "{default}:stream").strip() or 0)
        finished = len(started) - 0 if remaining == 20 - len(started) else None
        report("sigterm", code == 0 and elapsed < 10 and remaining == 20 - len(started),
               f"{len(started)} in flight at SIGTERM, finished {finished}, exit code {code}, exited in {elapsed} s "
               f"(grace 10 s); {remaining} left queued for other workers")
    finally:
        redis.remove()


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
    created = subprocess.run([os.path.join(BIN, "otto-api"), "tenants", "create", "--clerk-org",
                              f"org_chaos_{int(time.time())}", "--name", "Other", "--json"],
                             env={"PATH": "/usr/bin:/bin", "APP_ENV": "test", **env}, capture_output=True, text=True)
    other = json.loads(created.stdout)["id"]
    api = start("otto-api", env)
    try:
        wait_until(lambda: http_status(f"{base}/health") == 200, 30)
        flooded = "00000000-0000-4000-8000-000000000001"
        statuses = [post_status(f"{base}/webhooks/twilio/{flooded}", b"CallSid=CA1&CallStatus=ringing", {})
                    for _ in range(500)]
        limited = statuses.count(429)
        others = []
        for index in range(10):
            params = {"CallSid": f"CAchaos{index:04d}{int(time.time())}", "CallStatus": "completed",
                      "From": "+15551230000", "To": "+15559870000", "Direction": "inbound"}
            url = f"{base}/webhooks/twilio/{other}"
            body = urllib.parse.urlencode(params).encode()
            others.append(post_status(url, body, {"X-Twilio-Signature": twilio_signature(token, url, params)}))
        succeeded = sum(1 for status in others if 200 <= status < 300)
        forged = statuses.count(403)
        # Forgeries are charged to the sender's address after the signature check (no database
        # work), so the signed webhooks from the same address still pass on their tenant's budget.
        report("flood", limited >= 440 and forged + limited == len(statuses) and succeeded == len(others),
               f"500 forged webhooks naming one tenant at limit 50/1m: {forged} refused with 403, then {limited} "
               f"with 429 (the sender's address bucket); another tenant's 10 signed webhooks from the same "
               f"address: {succeeded} accepted (statuses {sorted(set(others))})")
    finally:
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
