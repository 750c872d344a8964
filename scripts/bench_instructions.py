#!/usr/bin/env python3
"""`make bench-instructions`: instructions per request and per task, counted by callgrind.

A benchmark, not a test: it asserts nothing. Wall-clock figures on this shared machine move by
half from one day to the next; the number of instructions a process executes for a fixed
workload does not, so a regression shows here as a number that moves with the code only.

Four fixed workloads, each against one process run under `valgrind --tool=callgrind`, and the
bare Hummingbird route (MinimalServer, /health's ceiling in `make bench`) measured the same way:

- health: one GET /health through otto-api (no dependency touched: what every request pays in
  the server, the middleware chain and the generated OpenAPI layer);
- webhook: one signed Twilio status callback through otto-api (ENABLE_CELERY=true, so the
  processing task is enqueued to Redis, not run in-process), a distinct CallSid per request;
- task: 1,000 `otto.ping` tasks through one otto-worker (enqueued by an un-instrumented
  `otto-worker enqueue` while the worker is stopped with SIGSTOP, so it drains a full stream in
  the same batches every time: the queue's drain cost per task, its cheapest). The worker's
  timers (heartbeat, lease renewal, promotion) cost instructions per second, not per task, and a
  window under valgrind lasts as long as the machine's load makes it, so a 10 s idle window
  measures them first and the task windows are given less that rate times their duration
  (both the raw and the corrected figures are in the JSON);
- page: one authenticated GET /v1/calls?limit=20 (a Clerk-style RS256 token as scripts/bench.py
  mints it, CLERK_JWT_KEY set; the tenant has 60 calls, so the page is full);
- reprocess: one idempotent authenticated POST /v1/calls/{id}/reprocess with a new
  Idempotency-Key each (the key claimed and completed in PostgreSQL, the call's latest event
  looked up, the task enqueued to Redis: ENABLE_CELERY=true, nothing run in-process).

Method: warm-up requests first, then `callgrind_control --dump` (a dump writes the counts so far
and zeroes them), then K requests over one keep-alive connection, then another dump, three times
(BENCH_INSTR_WINDOWS). A window's dump holds exactly the instructions every thread of the process
executed since the dump before, so start-up and warm-up are excluded; its total divided by K is
that window's figure, and the smallest window is the run's figure. What the process does on its
own timers falls in a window too (a heartbeat, a pool keep-alive, a cache refresh): taking the
smallest window drops a window that a rare periodic job landed in (one run of the page saw
9.2 M against 10.5 M per request before this), and is why the figure does not move with load.

Inputs from scripts/bench-instructions.sh: the binaries (OTTO_RELEASE_DIR), DATABASE_URL and
REDIS_URL of the private services. Knobs: BENCH_INSTR_RUNS (2), BENCH_INSTR_REQUESTS (50), BENCH_INSTR_WINDOWS (3),
BENCH_INSTR_TASKS (1000), BENCH_INSTR_WARMUP (10 requests; 100 tasks). The table goes to stdout,
the figures to .bench/instructions.json.

Binaries are copied with `objcopy --strip-debug` first (valgrind 3.19 cannot read the DWARF 5
that debug builds carry; release binaries are already stripped), and run with
scripts/valgrind_sigsuspend_shim.c preloaded (valgrind 3.19 aborts on libdispatch's read-only
sigsuspend mask; see that file).
"""

import base64
import glob
import hashlib
import hmac
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import bench  # noqa: E402  (mint_token, free_port, wait_http, the bench's fake Clerk key)
import bench_scale  # noqa: E402  (Redis: INFO commandstats and bytes around the measured requests)

BIN = os.environ.get("OTTO_RELEASE_DIR", os.path.join(ROOT, ".build", "release"))
DATABASE_URL = os.environ["DATABASE_URL"]
REDIS_URL = os.environ["REDIS_URL"]
REDIS_PORT = bench.REDIS_PORT
RUNS = int(os.environ.get("BENCH_INSTR_RUNS", "2"))
REQUESTS = int(os.environ.get("BENCH_INSTR_REQUESTS", "50"))
TASKS = int(os.environ.get("BENCH_INSTR_TASKS", "1000"))
WARMUP = int(os.environ.get("BENCH_INSTR_WARMUP", "10"))
# Measured windows per workload and process; the figure is the smallest, so that a window in
# which a periodic job of the process ran (a pool keep-alive, a cache refresh) does not count it.
WINDOWS = int(os.environ.get("BENCH_INSTR_WINDOWS", "3"))
TASK_WARMUP = 100
IDLE_SECONDS = 10
# Valgrind slows a Swift process 30-100x: start-up alone can take a minute on a loaded machine.
START_TIMEOUT = int(os.environ.get("BENCH_INSTR_START_TIMEOUT", "600"))
WORK_DIR = os.path.join(ROOT, ".bench", "instructions")
TWILIO_TOKEN = "0123456789abcdef0123456789abcdef"
ACCOUNT_SID = "AC" + "0" * 32


def log(message):
    print(message, file=sys.stderr, flush=True)


def prepared_binaries():
    """Debug-stripped copies of otto-api and otto-worker, and the sigsuspend shim, under WORK_DIR."""
    target = os.path.join(WORK_DIR, "bin")
    os.makedirs(target, exist_ok=True)
    paths = {}
    for name in ("otto-api", "otto-worker", "MinimalServer"):
        source, copy = os.path.join(BIN, name), os.path.join(target, name)
        if not os.path.exists(copy) or os.path.getmtime(copy) < os.path.getmtime(source):
            subprocess.run(["objcopy", "--strip-debug", source, copy], check=True)
        paths[name] = copy
    shim = os.path.join(target, "valgrind_sigsuspend_shim.so")
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", shim,
                    os.path.join(ROOT, "scripts", "valgrind_sigsuspend_shim.c")], check=True)
    paths["shim"] = shim
    return paths


class Callgrind:
    """One process under callgrind, with dumps taken on request."""

    def __init__(self, binary, env, label, shim, args=()):
        self.prefix = os.path.join(WORK_DIR, f"{label}.callgrind")
        for old in glob.glob(self.prefix + "*"):
            os.remove(old)
        environment = {"PATH": "/usr/bin:/bin", "LD_PRELOAD": shim, **env}
        self.log = open(os.path.join(WORK_DIR, f"{label}.log"), "w")
        self.process = subprocess.Popen(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={self.prefix}", binary, *args],
            env=environment, stdout=self.log, stderr=subprocess.STDOUT)
        self.dumps = 0
        # Valgrind names its vgdb pipes after $HOST, which Otto reads as its listen address:
        # callgrind_control must see the same value to find them.
        self.control_env = {**os.environ, "HOST": env.get("HOST", "")}
        if "HOST" not in env:
            del self.control_env["HOST"]

    def dump(self):
        """Instructions executed since the last dump (or since start), all threads together."""
        self.dumps += 1
        subprocess.run(["callgrind_control", "--dump", str(self.process.pid)], check=True, capture_output=True,
                       timeout=START_TIMEOUT, env=self.control_env)
        path = f"{self.prefix}.{self.dumps}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if os.path.exists(path):
                with open(path) as output:
                    for line in output:
                        if line.startswith("totals:") or line.startswith("summary:"):
                            return int(line.split()[1])
            time.sleep(0.2)
        raise SystemExit(f"callgrind wrote no dump {path}")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=START_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def redis_cli(*args):
    return subprocess.run(["redis-cli", "-p", REDIS_PORT, *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def drained(prefix):
    stream = f"{prefix}{{default}}:stream"
    pending = redis_cli("XPENDING", stream, "otto-workers").split("\n")[0].strip()
    return int(redis_cli("XLEN", stream) or 0) == 0 and pending in ("0", "")


def wait_until(condition, what, timeout=START_TIMEOUT):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.1)


def delete_keys(prefix):
    redis_cli("EVAL", "for _,k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end", "0",
              prefix + "*")


def signed_webhook(port, tenant, call_sid):
    path = f"/webhooks/twilio/{tenant}"
    params = {"AccountSid": ACCOUNT_SID, "CallSid": call_sid, "CallStatus": "completed", "Direction": "inbound",
              "From": "+15551230000", "To": "+15559870000", "CallDuration": "42"}
    payload = f"http://127.0.0.1:{port}{path}" + "".join(name + params[name] for name in sorted(params))
    signature = base64.b64encode(hmac.new(TWILIO_TOKEN.encode(), payload.encode(), hashlib.sha1).digest()).decode()
    return path, urllib.parse.urlencode(params), {"Content-Type": "application/x-www-form-urlencoded",
                                                  "X-Twilio-Signature": signature}


def send(connection, method, path, body=None, headers=None, expected=200):
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    if response.status != expected:
        raise SystemExit(f"{method} {path}: {response.status} {data[:300]!r}")
    return data


def redis_per_request(before, after, overhead):
    """Redis commands (by name) and bytes per measured request, from two INFO readings."""
    change = bench_scale.delta(before, after, {}, overhead)
    return {"commands": round(sum(change["commands"].values()) / REQUESTS, 3),
            "by_name": {name: round(count / REQUESTS, 3) for name, count in change["commands"].items()},
            "input_bytes": round(change["input_bytes"] / REQUESTS, 1),
            "output_bytes": round(change["output_bytes"] / REQUESTS, 1)}


def measure_api(paths, run):
    """Instructions per /health, signed webhook, authenticated page and idempotent POST, in one otto-api."""
    port = bench.free_port()
    prefix = f"otto-instr-{int(time.time())}-{run}:"
    org = f"org_instr_{int(time.time())}_{run}"
    token, pem = bench.mint_token(org)
    env = {
        "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "PORT": str(port), "HOST": "127.0.0.1",
        "ENABLE_CELERY": "true", "REDIS_KEY_PREFIX": prefix, "APP_ENV": "development", "LOG_FORMAT": "json",
        "LOG_LEVEL": "info", "CLERK_SECRET_KEY": "sk_test_benchbenchbench",
        "CLERK_PUBLISHABLE_KEY": bench.BENCH_PUBLISHABLE_KEY, "CLERK_JWT_KEY": pem,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "CALLRAIL_SIGNING_KEY": "bench",
        "ALLOWED_ORIGINS": "https://bench.example", "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "RATE_LIMIT_API": "1000000/1s", "RATE_LIMIT_WEBHOOKS": "1000000/1s",
    }
    created = subprocess.run([os.path.join(BIN, "otto-api"), "tenants", "create", "--clerk-org", org, "--name",
                              "Instructions", "--json"], env={"PATH": "/usr/bin:/bin", **env},
                             capture_output=True, text=True)
    if created.returncode != 0:
        raise SystemExit(f"otto-api tenants create: {created.stderr}")
    tenant = json.loads(created.stdout)["id"]
    log(f"run {run}: otto-api under callgrind (start-up takes a while)")
    redis = bench_scale.Redis(REDIS_PORT)
    api = Callgrind(paths["otto-api"], env, f"api-{run}", paths["shim"])
    figures = {}
    try:
        if not bench.wait_http(f"http://127.0.0.1:{port}/health", timeout=START_TIMEOUT):
            raise SystemExit("otto-api did not start under callgrind")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=START_TIMEOUT)
        overhead = bench_scale.reading_overhead(redis)

        def windows_with_redis(request):
            """measured_windows, and Redis' commands and bytes per request in the last window."""
            counted = {}

            def window():
                before = redis.info()
                yield
                counted["redis"] = redis_per_request(before, redis.info(), overhead)

            windows = measured_windows(api, request, around_window=window)
            return windows, counted["redis"]

        stamp = f"{int(time.time())}{run}"
        sequence = iter(range(10 ** 6))

        log(f"run {run}: {WARMUP} warm-up GET /health, then {REQUESTS} measured")
        figures["health_windows"] = measured_windows(api, lambda: send(connection, "GET", "/health"))

        def webhook():
            send(connection, "POST", *signed_webhook(port, tenant, f"CAinstr{stamp}{next(sequence):06d}"))

        log(f"run {run}: {WARMUP} warm-up webhooks, then {REQUESTS} measured")
        figures["webhook_windows"], figures["webhook_redis"] = windows_with_redis(webhook)

        # The tasks the webhooks enqueued upsert the calls: an un-instrumented worker runs them,
        # so the page below lists 20 of this tenant's calls.
        worker = subprocess.Popen([os.path.join(BIN, "otto-worker")], env={"PATH": "/usr/bin:/bin", **env},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until(lambda: drained(prefix), "the webhook tasks", timeout=120)
        finally:
            bench.stop(worker)
        page_headers = {"Authorization": f"Bearer {token}"}
        page = json.loads(send(connection, "GET", "/v1/calls?limit=20", headers=page_headers))
        figures["page_rows"] = len(page["data"])
        log(f"run {run}: {WARMUP} warm-up pages, then {REQUESTS} measured ({figures['page_rows']} calls a page)")
        figures["page_windows"], figures["page_redis"] = windows_with_redis(
            lambda: send(connection, "GET", "/v1/calls?limit=20", headers=page_headers))

        call_id = page["data"][0]["id"]
        reprocess_path = f"/v1/calls/{call_id}/reprocess"

        def reprocess():
            headers = {**page_headers, "Content-Type": "application/json",
                       "Idempotency-Key": f"instr-{stamp}-{next(sequence):06d}"}
            send(connection, "POST", reprocess_path, body=b'{"reason":"bench"}', headers=headers, expected=202)

        log(f"run {run}: {WARMUP} warm-up reprocess POSTs, then {REQUESTS} measured")
        figures["reprocess_windows"], figures["reprocess_redis"] = windows_with_redis(reprocess)
        connection.close()
    finally:
        api.stop()
        redis.close()
        delete_keys(prefix)
    return figures


def measured_windows(process, request, around_window=None):
    """WARMUP requests, a dump, then WINDOWS windows of REQUESTS requests: each window's dump total.
    `around_window`, a generator function, runs up to its `yield` before each window's requests
    and the rest after its dump."""
    for _ in range(WARMUP):
        request()
    process.dump()
    windows = []
    for _ in range(WINDOWS):
        around = around_window() if around_window else None
        if around:
            next(around)
        for _ in range(REQUESTS):
            request()
        windows.append(process.dump())
        if around:
            next(around, None)
    return windows


def measure_bare_route(paths, run):
    """Instructions per GET /health of the bare Hummingbird route (MinimalServer): /health's ceiling."""
    port = bench.free_port()
    server = Callgrind(paths["MinimalServer"], {}, f"bare-{run}", paths["shim"], args=(str(port),))
    try:
        if not bench.wait_http(f"http://127.0.0.1:{port}/health", timeout=START_TIMEOUT):
            raise SystemExit("MinimalServer did not start under callgrind")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=START_TIMEOUT)
        windows = measured_windows(server, lambda: send(connection, "GET", "/health"))
        connection.close()
    finally:
        server.stop()
    return {"bare_windows": windows}


def measure_worker(paths, run):
    """Instructions per otto.ping task in one otto-worker process."""
    prefix = f"otto-instr-worker-{int(time.time())}-{run}:"
    env = {"REDIS_URL": REDIS_URL, "DATABASE_URL": DATABASE_URL, "ENABLE_CELERY": "true",
           "REDIS_KEY_PREFIX": prefix, "APP_ENV": "development", "LOG_FORMAT": "json", "LOG_LEVEL": "info",
           # The default (2 x cores) would make the count depend on the machine.
           "WORKER_CONCURRENCY": "4"}
    log(f"run {run}: otto-worker under callgrind")
    worker = Callgrind(paths["otto-worker"], env, f"worker-{run}", paths["shim"])

    def enqueue(count):
        subprocess.run([os.path.join(BIN, "otto-worker"), "enqueue", "otto.ping", "--count", str(count), "--json"],
                       env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, check=True)

    try:
        wait_until(lambda: int(redis_cli("ZCARD", f"{prefix}workers") or 0) > 0, "the worker's first heartbeat")
        log(f"run {run}: {TASK_WARMUP} warm-up tasks, then {TASKS} measured")
        enqueue(TASK_WARMUP)
        wait_until(lambda: drained(prefix), "the warm-up tasks")
        worker.dump()
        # What the worker does on its timers alone (heartbeat, lease renewal, delayed-task
        # promotion, the blocking read's timeout), per second: under valgrind a window lasts as
        # long as the machine's load makes it, so this part is taken out of the task windows.
        time.sleep(IDLE_SECONDS)
        idle_per_s = worker.dump() / IDLE_SECONDS
        windows, seconds = [], []
        for _ in range(WINDOWS):
            began = time.monotonic()
            # The stream is filled while the worker is stopped, so it drains the same full batches
            # every time: how many tasks one read carries otherwise depends on timing.
            os.kill(worker.process.pid, signal.SIGSTOP)
            try:
                enqueue(TASKS)
            finally:
                os.kill(worker.process.pid, signal.SIGCONT)
            wait_until(lambda: drained(prefix), "the measured tasks")
            windows.append(worker.dump())
            seconds.append(time.monotonic() - began)
    finally:
        worker.stop()
        delete_keys(prefix)
    return {"task_windows_raw": windows, "task_window_seconds": seconds, "worker_idle_per_s": idle_per_s,
            "task_windows": [total - idle_per_s * span for total, span in zip(windows, seconds)]}


def main():
    if not shutil.which("valgrind") or not shutil.which("callgrind_control"):
        raise SystemExit("valgrind is missing (scripts/bench-instructions.sh installs it)")
    os.makedirs(WORK_DIR, exist_ok=True)
    paths = prepared_binaries()
    runs = []
    for run in range(1, RUNS + 1):
        began = time.monotonic()
        totals = {**measure_bare_route(paths, run), **measure_api(paths, run), **measure_worker(paths, run)}
        runs.append({
            "bare_route_instructions_per_request": round(min(totals["bare_windows"]) / REQUESTS),
            "health_instructions_per_request": round(min(totals["health_windows"]) / REQUESTS),
            "webhook_instructions_per_request": round(min(totals["webhook_windows"]) / REQUESTS),
            "page_instructions_per_request": round(min(totals["page_windows"]) / REQUESTS),
            "reprocess_instructions_per_request": round(min(totals["reprocess_windows"]) / REQUESTS),
            "task_instructions_per_task": round(min(totals["task_windows"]) / TASKS),
            "windows_per_request": {
                "bare_route": [round(total / REQUESTS) for total in totals["bare_windows"]],
                "health": [round(total / REQUESTS) for total in totals["health_windows"]],
                "webhook": [round(total / REQUESTS) for total in totals["webhook_windows"]],
                "page": [round(total / REQUESTS) for total in totals["page_windows"]],
                "reprocess": [round(total / REQUESTS) for total in totals["reprocess_windows"]],
                "task": [round(total / TASKS) for total in totals["task_windows"]]},
            "task_raw_per_task": [round(total / TASKS) for total in totals["task_windows_raw"]],
            "task_window_seconds": [round(span, 1) for span in totals["task_window_seconds"]],
            "worker_idle_instructions_per_s": round(totals["worker_idle_per_s"]),
            "page_rows": totals["page_rows"],
            # Counted by Redis itself (INFO commandstats, scripts' inner commands included).
            "webhook_redis": totals["webhook_redis"], "page_redis": totals["page_redis"],
            "reprocess_redis": totals["reprocess_redis"],
            "seconds": round(time.monotonic() - began, 1),
        })
    load = os.getloadavg()
    with open("/proc/cpuinfo") as cpu:
        model = next((line.split(":", 1)[1].strip() for line in cpu if line.startswith("model name")), "unknown")
    figures = {}
    for key in ("bare_route_instructions_per_request", "health_instructions_per_request",
                "webhook_instructions_per_request", "page_instructions_per_request",
                "reprocess_instructions_per_request", "task_instructions_per_task"):
        values = [run[key] for run in runs]
        mean = statistics.mean(values)
        figures[key] = {"runs": values, "mean": round(mean),
                        "spread_percent": round((max(values) - min(values)) / mean * 100, 3) if mean else None}
    results = {
        "machine": {"cores": os.cpu_count(), "cpu": model, "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
                    "load_average": [round(value, 2) for value in load]},
        "binaries": BIN,
        "method": "callgrind_control --dump after the warm-up and after each measured window; "
                  "a window's dump total (all threads) divided by its count; the smallest of the windows",
        "requests": REQUESTS, "tasks": TASKS, "warmup_requests": WARMUP, "warmup_tasks": TASK_WARMUP,
        "figures": figures, "runs": runs,
    }
    with open(os.path.join(ROOT, ".bench", "instructions.json"), "w") as output:
        json.dump(results, output, indent=2)
    rows = [
        ("GET /health, bare Hummingbird route (MinimalServer)", "per request", "bare_route_instructions_per_request"),
        ("GET /health (otto-api)", "per request", "health_instructions_per_request"),
        ("signed Twilio webhook (otto-api, ENABLE_CELERY=true)", "per request", "webhook_instructions_per_request"),
        ("authenticated GET /v1/calls?limit=20 (otto-api)", "per request", "page_instructions_per_request"),
        ("idempotent POST /v1/calls/{id}/reprocess (otto-api, ENABLE_CELERY=true)", "per request",
         "reprocess_instructions_per_request"),
        ("otto.ping (otto-worker, WORKER_CONCURRENCY=4)", "per task", "task_instructions_per_task"),
    ]
    print(f"\nOtto instruction counts (callgrind) — {BIN}; {os.cpu_count()} cores, {model}, "
          f"{results['machine']['date']}, load {load[0]:.2f}")
    print(f"  {REQUESTS} requests / {TASKS} tasks a window, {WINDOWS} windows (the smallest counts), after "
          f"{WARMUP} / {TASK_WARMUP} warm-up; {RUNS} runs (each a new process)")
    width = max(len(row[0]) for row in rows)
    header = "  ".join(f"run {index + 1}".rjust(14) for index in range(RUNS))
    print(f"  {'workload'.ljust(width)}  {'unit'.ljust(11)}  {header}  {'spread'.rjust(8)}")
    for name, unit, key in rows:
        values = "  ".join(f"{value:,}".rjust(14) for value in figures[key]["runs"])
        print(f"  {name.ljust(width)}  {unit.ljust(11)}  {values}  {figures[key]['spread_percent']:>7}%")
    ceiling = figures["bare_route_instructions_per_request"]["mean"]
    if ceiling:
        print(f"  /health against the bare route: {ceiling / figures['health_instructions_per_request']['mean']:.0%} "
              f"(the bare route's instructions over otto-api's; {figures['health_instructions_per_request']['mean'] / ceiling:.2f}x)")
    for run_index, run in enumerate(runs, 1):
        print(f"  run {run_index} windows: {run['windows_per_request']}")
    for label, key in (("webhook", "webhook_redis"), ("page", "page_redis"), ("reprocess", "reprocess_redis")):
        redis = runs[-1][key]
        print(f"  Redis per {label} (last run): {redis['commands']} commands {redis['by_name']}, "
              f"{redis['input_bytes']} B in / {redis['output_bytes']} B out")


if __name__ == "__main__":
    main()
