#!/usr/bin/env python3
"""`make bench`: Otto's speed and memory, measured on the machine at hand.

A benchmark, not a test: it asserts nothing, prints a table and writes it as JSON under
.bench/ (git-ignored). Every figure sits next to this machine's ceiling measured in the same
run (a bare Hummingbird route for HTTP, redis-benchmark for Redis) and next to its target
from issue 7. Inputs come from scripts/bench.sh: the release binaries (OTTO_RELEASE_DIR), the
private PostgreSQL and Redis (DATABASE_URL, REDIS_URL).
"""

import base64
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

import bench_peers
import bench_pipeline
import bench_scale

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("OTTO_RELEASE_DIR", os.path.join(ROOT, ".build", "release"))
DATABASE_URL = os.environ["DATABASE_URL"]
REDIS_URL = os.environ["REDIS_URL"]
REDIS_PORT = re.search(r":(\d+)/?", REDIS_URL.split("@")[-1]).group(1)
WRK_THREADS = int(os.environ.get("BENCH_WRK_THREADS", "2"))
WRK_CONNECTIONS = int(os.environ.get("BENCH_WRK_CONNECTIONS", "64"))
WRK_SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", "10"))
WARMUP_SECONDS = int(os.environ.get("BENCH_WARMUP_SECONDS", "3"))
QUEUE_TASKS = int(os.environ.get("BENCH_QUEUE_TASKS", "20000"))
IDLE_SECONDS = int(os.environ.get("BENCH_IDLE_SECONDS", "30"))

DEFAULT_SECTIONS = {"api", "queue", "idle", "redis", "scale", "peers", "pipeline"}
results = {"machine": {}, "api": {}, "queue": {}, "idle": {}, "startup": {}, "ceiling": {}}


def log(message):
    print(message, file=sys.stderr, flush=True)


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


def redis_cli(*args):
    return subprocess.run(["redis-cli", "-p", REDIS_PORT, *args], capture_output=True, text=True, check=True).stdout


def peak_rss_mb(pid):
    """VmHWM: the peak resident set size of a live process."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except FileNotFoundError:
        pass
    return None


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def start(binary, env, args=()):
    environment = {"PATH": "/usr/bin:/bin", "APP_ENV": "production", "LOG_FORMAT": "json", **env}
    return subprocess.Popen(
        [os.path.join(BIN, binary), *args], env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_http(url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return True
        except Exception:
            time.sleep(0.005)
    return False


def wrk(url, seconds=WRK_SECONDS, script=None):
    """Runs wrk after a warm-up; returns requests/s, p50 and p99 in ms."""
    base = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", "--latency"]
    if script:
        base += ["-s", script]
    subprocess.run(base + [f"-d{WARMUP_SECONDS}s", url], capture_output=True, text=True)
    output = subprocess.run(base + [f"-d{seconds}s", url], capture_output=True, text=True).stdout

    def latency(percentile):
        match = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        if not match:
            return None
        value, unit = float(match.group(1)), match.group(2)
        return round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 3)

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": round(float(rps.group(1))) if rps else None,
        "p50_ms": latency(50),
        "p99_ms": latency(99),
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(1) if errors else None,
        "connections": WRK_CONNECTIONS,
        "threads": WRK_THREADS,
        "seconds": seconds,
    }


# A publishable key naming a fake Frontend API, and the issuer its tokens carry (otto-api
# requires iss to be the Frontend API the publishable key names).
BENCH_ISSUER = "https://clerk.bench.example"
BENCH_PUBLISHABLE_KEY = "pk_test_" + base64.b64encode(b"clerk.bench.example$").decode()


def mint_token(org):
    """An RS256 Clerk-style session token and the PEM public key that verifies it."""
    import base64
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    now = int(time.time())
    header = b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    claims = b64(json.dumps({"sub": "user_bench", "o": {"id": org}, "v": 2, "iat": now, "nbf": now - 5,
                             "exp": now + 3600, "iss": BENCH_ISSUER}).encode())
    signature = key.sign(f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{claims}.{b64(signature)}", pem


def webhook_script(base, tenant, token, count=5000):
    """A wrk Lua script cycling through `count` distinct, correctly signed Twilio callbacks
    (distinct bodies, so each request stores an event and processes a call, like real traffic)."""
    import base64
    import hashlib
    import hmac
    import urllib.parse

    path = f"/webhooks/twilio/{tenant}"
    url = base + path
    lines = ["local requests = {}"]
    run = int(time.time())
    for index in range(count):
        # AccountSid: the API checks it against TWILIO_ACCOUNT_SID (set in the bench environment).
        params = {"AccountSid": "AC" + "0" * 32, "CallSid": f"CAbench{run}{index:06d}", "CallStatus": "completed",
                  "Direction": "inbound",
                  "From": "+15551230000", "To": "+15559870000", "CallDuration": "42"}
        payload = url + "".join(name + params[name] for name in sorted(params))
        signature = base64.b64encode(hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()).decode()
        body = urllib.parse.urlencode(params)
        lines.append(
            f'requests[{index + 1}] = wrk.format("POST", "{path}", {{["Content-Type"] = '
            f'"application/x-www-form-urlencoded", ["X-Twilio-Signature"] = "{signature}"}}, "{body}")')
    lines += ["local i = 0", "request = function()", f"  i = (i % {count}) + 1", "  return requests[i]", "end"]
    script = os.path.join(ROOT, ".bench", "webhooks.lua")
    with open(script, "w") as output:
        output.write("\n".join(lines) + "\n")
    return script


def seed_call(base, tenant, token):
    """One signed Twilio callback, so the tenant has a call to page through and reprocess."""
    import base64
    import hashlib
    import hmac
    import urllib.parse

    url = f"{base}/webhooks/twilio/{tenant}"
    params = {"AccountSid": "AC" + "0" * 32, "CallSid": f"CAseed{int(time.time())}", "CallStatus": "completed",
              "Direction": "inbound",
              "From": "+15551230000", "To": "+15559870000", "CallDuration": "42"}
    payload = url + "".join(name + params[name] for name in sorted(params))
    signature = base64.b64encode(hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()).decode()
    request = urllib.request.Request(url, data=urllib.parse.urlencode(params).encode(), method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})
    urllib.request.urlopen(request, timeout=5).read()
    time.sleep(0.5)  # the in-process task upserts the call


def header_script(name, headers):
    script = os.path.join(ROOT, ".bench", f"{name}.lua")
    with open(script, "w") as output:
        for key, value in headers.items():
            output.write(f'wrk.headers["{key}"] = "{value}"\n')
    return script


def bench_api():
    port = free_port()
    env = {
        "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "PORT": str(port), "HOST": "127.0.0.1",
        "ENABLE_CELERY": "false", "LOG_LEVEL": "info",
        # Production validation needs these; the values are obviously fake.
        "CLERK_SECRET_KEY": "sk_test_benchbenchbench", "CLERK_PUBLISHABLE_KEY": BENCH_PUBLISHABLE_KEY,
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "0" * 32, "CALLRAIL_SIGNING_KEY": "bench",
        "ALLOWED_ORIGINS": "https://bench.example", "PUBLIC_BASE_URL": "https://bench.example",
        "RATE_LIMIT_API": "1000000/1s", "RATE_LIMIT_WEBHOOKS": "1000000/1s",
    }
    org = f"org_bench_{int(time.time())}"
    token, pem = mint_token(org)
    env["CLERK_JWT_KEY"] = pem
    env["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{port}"
    env["TWILIO_AUTH_TOKEN"] = "0123456789abcdef0123456789abcdef"
    created = subprocess.run([os.path.join(BIN, "otto-api"), "tenants", "create", "--clerk-org", org, "--name",
                              "Bench", "--json"], env={"PATH": "/usr/bin:/bin", **env, "APP_ENV": "development"},
                             capture_output=True, text=True, check=True)
    tenant = json.loads(created.stdout)["id"]
    began = time.monotonic()
    api = start("otto-api", {**env, "APP_ENV": "development", "LOG_FORMAT": "json"})
    if not wait_http(f"http://127.0.0.1:{port}/health"):
        stop(api)
        raise SystemExit("otto-api did not start")
    results["startup"]["api_to_health_ms"] = round((time.monotonic() - began) * 1000, 1)
    results["api"]["idle_rss_mb"] = rss_mb(api.pid)
    log("api: GET /health")
    results["api"]["health"] = wrk(f"http://127.0.0.1:{port}/health")
    log("api: GET /ready")
    results["api"]["ready"] = wrk(f"http://127.0.0.1:{port}/ready")
    seed_call(f"http://127.0.0.1:{port}", tenant, env["TWILIO_AUTH_TOKEN"])
    log("api: authenticated GET /v1/calls page")
    results["api"]["v1_calls"] = wrk(f"http://127.0.0.1:{port}/v1/calls?limit=20",
                                      script=header_script("v1", {"Authorization": f"Bearer {token}"}))
    log("api: authenticated, rate-limited, idempotent POST /v1/calls/{id}/reprocess (a new key per request)")
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/calls?limit=1",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        call_id = json.loads(response.read())["data"][0]["id"]
    script = os.path.join(ROOT, ".bench", "reprocess.lua")
    with open(script, "w") as output:
        output.write(
            'local n = 0\n'
            'request = function()\n'
            '  n = n + 1\n'
            f'  return wrk.format("POST", "/v1/calls/{call_id}/reprocess", {{["Authorization"] = "Bearer {token}", '
            '["Content-Type"] = "application/json", ["Idempotency-Key"] = "bench-" .. id .. "-" .. n}, '
            '"{\\"reason\\":\\"bench\\"}")\n'
            'end\n'
            'setup = function(thread) thread:set("id", tostring(math.random(1, 1e9))) end\n'
            )
    results["api"]["idempotent_post"] = wrk(f"http://127.0.0.1:{port}", script=script)
    log("api: signed webhook POST (distinct deliveries, stored and processed in-process)")
    results["api"]["webhook"] = wrk(f"http://127.0.0.1:{port}", script=webhook_script(
        f"http://127.0.0.1:{port}", tenant, env["TWILIO_AUTH_TOKEN"]))
    results["api"]["peak_rss_mb"] = peak_rss_mb(api.pid)
    stop(api)
    bench_api_queued(env, script, tenant)

    baseline_port = free_port()
    baseline = subprocess.Popen(
        [os.path.join(BIN, "MinimalServer"), str(baseline_port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_http(f"http://127.0.0.1:{baseline_port}/health")
    log("ceiling: bare Hummingbird route")
    results["ceiling"]["hummingbird_minimal_route"] = wrk(f"http://127.0.0.1:{baseline_port}/health")
    results["ceiling"]["hummingbird_peak_rss_mb"] = peak_rss_mb(baseline.pid)
    stop(baseline)


def bench_api_queued(env, reprocess_script, tenant):
    """The two writes again in the deployed shape (`ENABLE_CELERY=true`): an api machine stores,
    enqueues to Redis and answers; the worker process group, on machines of its own, processes.
    No worker runs here, so the enqueued tasks wait under a private key prefix, deleted after."""
    port = free_port()
    prefix = f"otto-bench-api-{int(time.time())}:"
    queued = {**env, "PORT": str(port), "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "ENABLE_CELERY": "true",
              "REDIS_KEY_PREFIX": prefix, "APP_ENV": "development", "LOG_FORMAT": "json"}
    api = start("otto-api", queued)
    try:
        if not wait_http(f"http://127.0.0.1:{port}/health"):
            raise SystemExit("otto-api (ENABLE_CELERY=true) did not start")
        section = results["api"]["queued"] = {}
        log("api, ENABLE_CELERY=true: idempotent POST /v1/calls/{id}/reprocess (enqueued for the worker group)")
        section["idempotent_post"] = wrk(f"http://127.0.0.1:{port}", script=reprocess_script)
        log("api, ENABLE_CELERY=true: signed webhook POST (stored, enqueued for the worker group)")
        section["webhook"] = wrk(f"http://127.0.0.1:{port}", script=webhook_script(
            f"http://127.0.0.1:{port}", tenant, env["TWILIO_AUTH_TOKEN"]))
        section["enqueued"] = int(redis_cli("XLEN", f"{prefix}{{default}}:stream").strip() or 0)
        section["peak_rss_mb"] = peak_rss_mb(api.pid)
    finally:
        stop(api)
        redis_cli("EVAL", "for _,k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end", "0",
                  prefix + "*")


def queue_depth(prefix):
    stream = f"{prefix}{{default}}:stream"
    length = int(redis_cli("XLEN", stream).strip() or 0)
    return length


def bench_queue():
    prefix = f"otto-bench-{int(time.time())}:"
    env = {"REDIS_URL": REDIS_URL, "DATABASE_URL": DATABASE_URL, "ENABLE_CELERY": "true", "REDIS_KEY_PREFIX": prefix,
           "APP_ENV": "development", "LOG_FORMAT": "json", "LOG_LEVEL": "info"}
    worker_env = {**env, "APP_ENV": "development"}
    worker = start("otto-worker", worker_env)
    time.sleep(1.0)
    results["queue"]["idle_rss_mb"] = rss_mb(worker.pid)

    log(f"queue: enqueue {QUEUE_TASKS} otto.ping with one producer")
    began = time.monotonic()
    enqueue = subprocess.run(
        [os.path.join(BIN, "otto-worker"), "enqueue", "otto.ping", "--count", str(QUEUE_TASKS), "--json"],
        env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True, check=True)
    enqueued = time.monotonic()
    assert len(json.loads(enqueue.stdout)["ids"]) == QUEUE_TASKS
    max_rss = 0
    while True:
        pending = redis_cli("XPENDING", f"{prefix}{{default}}:stream", "otto-workers").split("\n")[0].strip()
        if queue_depth(prefix) == 0 and pending in ("0", ""):
            break
        max_rss = max(max_rss, rss_mb(worker.pid) or 0)
        if time.monotonic() - began > 300:
            raise SystemExit("queue did not drain in 300 s")
        time.sleep(0.01)
    done = time.monotonic()
    results["queue"]["tasks"] = QUEUE_TASKS
    results["queue"]["enqueue_per_s"] = round(QUEUE_TASKS / (enqueued - began))
    results["queue"]["end_to_end_per_s"] = round(QUEUE_TASKS / (done - began))
    results["queue"]["peak_rss_mb"] = peak_rss_mb(worker.pid)
    stop(worker)

    # The pre-filled drain: the same tasks enqueued while no worker runs, then one worker takes
    # them in full batches. Timed from its first completed task (an entry is deleted when it is
    # acknowledged) to the empty stream, so its start-up is not counted.
    log(f"queue: drain {QUEUE_TASKS} pre-filled otto.ping with one worker")
    stream = f"{prefix}{{default}}:stream"
    subprocess.run(
        [os.path.join(BIN, "otto-worker"), "enqueue", "otto.ping", "--count", str(QUEUE_TASKS), "--json"],
        env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True, check=True)
    filled = queue_depth(prefix)
    # Polled over one connection (a redis-cli process per poll would take CPU from the drain).
    # An entry leaves the stream only once acknowledged, so an empty stream is a drained queue.
    key = stream.encode()
    probe = socket.create_connection(("127.0.0.1", int(REDIS_PORT)))
    reply = probe.makefile("rb")

    def stream_length():
        probe.sendall(b"*2\r\n$4\r\nXLEN\r\n$%d\r\n%s\r\n" % (len(key), key))
        return int(reply.readline()[1:])

    worker = start("otto-worker", worker_env)
    deadline = time.monotonic() + 300
    first = None
    while True:
        depth = stream_length()
        if first is None and depth < filled:
            first = (time.monotonic(), depth)
        if depth == 0:
            break
        if time.monotonic() > deadline:
            raise SystemExit("the pre-filled queue did not drain in 300 s")
        time.sleep(0.002)
    drained = time.monotonic()
    probe.close()
    stop(worker)
    if first is not None and drained > first[0]:
        results["queue"]["drain_tasks"] = first[1]
        results["queue"]["drain_per_s"] = round(first[1] / (drained - first[0]))

    # Enqueue-to-start latency at a moderate rate, from the worker's own task-end lines
    # (wait_ms = start time minus the envelope's due time).
    log("queue: enqueue-to-start latency at a moderate rate")
    latency_log = os.path.join(ROOT, ".bench", "latency-worker.log")
    with open(latency_log, "w") as output:
        worker = subprocess.Popen([os.path.join(BIN, "otto-worker")], env={"PATH": "/usr/bin:/bin", **worker_env},
                                  stdout=output, stderr=subprocess.STDOUT)
        time.sleep(1.0)
        producer = os.path.join(ROOT, "scripts", "bench_producer.py")
        subprocess.run([sys.executable, producer, REDIS_PORT, prefix, "2000", "500"], check=True)
        time.sleep(1.0)
        stop(worker)
    waits = []
    with open(latency_log) as lines:
        for line in lines:
            if '"task finished"' in line:
                record = json.loads(line)
                if "wait_ms" in record:
                    waits.append(float(record["wait_ms"]))
    waits.sort()
    if waits:
        results["queue"]["latency_sample"] = len(waits)
        results["queue"]["latency_rate_per_s"] = 500
        results["queue"]["enqueue_to_start_p50_ms"] = round(waits[len(waits) // 2], 3)
        results["queue"]["enqueue_to_start_p99_ms"] = round(waits[int(len(waits) * 0.99) - 1], 3)
    redis_cli("EVAL", "for _,k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end", "0", prefix + "*")


def count_monitor(process_env, binary, seconds):
    """Commands a process sends to Redis while idle, counted with MONITOR (script-internal calls excluded)."""
    process = start(binary, process_env)
    time.sleep(3)  # let it connect and settle
    monitor = subprocess.Popen(["redis-cli", "-p", REDIS_PORT, "monitor"], stdout=subprocess.PIPE, text=True)
    time.sleep(seconds)
    monitor.terminate()
    output, _ = monitor.communicate()
    rss = rss_mb(process.pid)
    stop(process)
    prefix = process_env["REDIS_KEY_PREFIX"]
    lines = [l for l in output.splitlines() if "[0 lua]" not in l and " lua]" not in l and l.strip() and l != "OK"]
    return round(len(lines) / seconds, 2), rss


def bench_idle():
    """Idle cost on a Redis of its own, so no other client's commands are counted."""
    global REDIS_PORT
    shared_port = REDIS_PORT
    REDIS_PORT = str(free_port())
    server = subprocess.Popen(["redis-server", "--port", REDIS_PORT, "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    try:
        idle_on(f"redis://127.0.0.1:{REDIS_PORT}/0")
    finally:
        redis_cli("SHUTDOWN", "NOSAVE")
        server.wait()
        REDIS_PORT = shared_port


def idle_on(redis_url):
    prefix = f"otto-idle-{int(time.time())}:"
    env = {"REDIS_URL": redis_url, "DATABASE_URL": DATABASE_URL, "ENABLE_CELERY": "true", "ENABLE_CELERY_BEAT": "true",
           "REDIS_KEY_PREFIX": prefix, "APP_ENV": "development", "LOG_FORMAT": "json"}
    log(f"idle: worker commands per second over {IDLE_SECONDS} s")
    results["idle"]["worker_commands_per_s"], results["idle"]["worker_idle_rss_mb"] = count_monitor(env, "otto-worker", IDLE_SECONDS)
    log(f"idle: beat commands per second over {IDLE_SECONDS} s")
    results["idle"]["beat_commands_per_s"], results["idle"]["beat_idle_rss_mb"] = count_monitor(env, "otto-beat", IDLE_SECONDS)
    results["idle"]["seconds"] = IDLE_SECONDS

    # Startup: exec to the worker's first heartbeat.
    began = time.monotonic()
    worker = start("otto-worker", env)
    while int(redis_cli("ZCARD", f"{prefix}workers").strip() or 0) == 0:
        if time.monotonic() - began > 30:
            break
        time.sleep(0.005)
    results["startup"]["worker_to_heartbeat_ms"] = round((time.monotonic() - began) * 1000, 1)
    stop(worker)
    redis_cli("EVAL", "for _,k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end", "0", prefix + "*")


def bench_redis_ceiling():
    log("ceiling: redis-benchmark for the queue's commands")
    commands = {
        "PING": ["PING"],
        "XADD": ["XADD", "otto-bench-ceiling:stream", "*", "t", "x" * 300],
        "EVALSHA-like EVAL": ["EVAL", "return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1)", "1",
                              "otto-bench-ceiling:z", "0"],
    }
    ceiling = {}
    for name, command in commands.items():
        output = subprocess.run(["redis-benchmark", "-p", REDIS_PORT, "-n", "100000", "-c", "50", "-q", *command],
                                capture_output=True, text=True).stdout
        match = re.findall(r"([\d.]+) requests per second", output)
        ceiling[name] = round(float(match[-1])) if match else None
        piped = subprocess.run(["redis-benchmark", "-p", REDIS_PORT, "-n", "200000", "-c", "50", "-P", "16", "-q", *command],
                               capture_output=True, text=True).stdout
        match = re.findall(r"([\d.]+) requests per second", piped)
        ceiling[name + " (pipelined x16)"] = round(float(match[-1])) if match else None
    redis_cli("DEL", "otto-bench-ceiling:stream", "otto-bench-ceiling:z")
    results["ceiling"]["redis_benchmark_ops_per_s"] = ceiling


def machine():
    with open("/proc/cpuinfo") as cpu:
        model = next((l.split(":", 1)[1].strip() for l in cpu if l.startswith("model name")), "unknown")
    results["machine"] = {"cores": os.cpu_count(), "cpu": model, "date": time.strftime("%Y-%m-%d %H:%M:%S %Z")}


def pct(value, ceiling):
    """`value` as a percentage of `ceiling`, for the table."""
    return f"{round(100 * value / ceiling)}%" if value and ceiling else "?"


def table():
    api, queue, idle, startup, ceiling = (results[k] for k in ("api", "queue", "idle", "startup", "ceiling"))
    floor = ceiling.get("hummingbird_minimal_route", {}).get("rps") or 1
    queued = api.get("queued", {})
    rows = [
        ("GET /health req/s", api["health"]["rps"],
         f"ceiling {floor} (bare Hummingbird): {pct(api['health']['rps'], floor)}; target >= 90%"),
        ("GET /health p50 / p99 ms", f'{api["health"]["p50_ms"]} / {api["health"]["p99_ms"]}', ""),
        ("GET /ready req/s", api["ready"]["rps"], f"{pct(api['ready']['rps'], api['health']['rps'])} of /health; target >= 70%"),
        ("GET /ready p50 / p99 ms", f'{api["ready"]["p50_ms"]} / {api["ready"]["p99_ms"]}', "target p99 < 20"),
        ("GET /v1/calls (authenticated) req/s", api["v1_calls"]["rps"],
         f'{pct(api["v1_calls"]["rps"], api["ready"]["rps"])} of /ready (target >= 50%); '
         f'p50 {api["v1_calls"]["p50_ms"]} / p99 {api["v1_calls"]["p99_ms"]} ms; Clerk RS256 (cached) + rate limit + RLS query'),
        ("POST /webhooks/twilio req/s", api["webhook"]["rps"],
         f'{pct(api["webhook"]["rps"], api["ready"]["rps"])} of /ready (target >= 30%); '
         f'p50 {api["webhook"]["p50_ms"]} / p99 {api["webhook"]["p99_ms"]} ms; signed, stored, call upserted in-process'),
        ("POST /v1/calls/{id}/reprocess req/s", api["idempotent_post"]["rps"],
         f'{pct(api["idempotent_post"]["rps"], api["ready"]["rps"])} of /ready (target >= 25%); '
         f'p50 {api["idempotent_post"]["p50_ms"]} / p99 {api["idempotent_post"]["p99_ms"]} ms; auth + rate limit + '
         f'Idempotency-Key (new key each) + enqueue; non-2xx {api["idempotent_post"]["non_2xx"]}'),
        ("  the same, ENABLE_CELERY=true: webhook req/s", queued.get("webhook", {}).get("rps"),
         f'{pct(queued.get("webhook", {}).get("rps"), api["ready"]["rps"])} of /ready; the deployed shape: stored '
         'and enqueued for the worker group (none runs here)'),
        ("  the same, ENABLE_CELERY=true: reprocess req/s", queued.get("idempotent_post", {}).get("rps"),
         f'{pct(queued.get("idempotent_post", {}).get("rps"), api["ready"]["rps"])} of /ready; '
         f'non-2xx {queued.get("idempotent_post", {}).get("non_2xx")}; stream length after: {queued.get("enqueued")}'),
        ("otto-api RSS idle / peak MB", f'{api["idle_rss_mb"]} / {api["peak_rss_mb"]}',
         f'target < 60; ENABLE_CELERY=true peak {queued.get("peak_rss_mb")}'),
        ("queue enqueue tasks/s", queue["enqueue_per_s"], f'one producer, {queue["tasks"]} tasks, pipelined'),
        ("queue end-to-end tasks/s", queue["end_to_end_per_s"],
         f'{pct(queue["end_to_end_per_s"], ceiling.get("redis_benchmark_ops_per_s", {}).get("XADD"))} of unpipelined '
         "XADD (target >= 50%); one worker, default concurrency"),
        ("queue pre-filled drain tasks/s", queue.get("drain_per_s"),
         f'{pct(queue.get("drain_per_s"), ceiling.get("redis_benchmark_ops_per_s", {}).get("XADD"))} of unpipelined '
         f'XADD (target >= 70%); one worker, {queue.get("drain_tasks")} tasks enqueued before it started'),
        ("enqueue-to-start p50 / p99 ms", f'{queue.get("enqueue_to_start_p50_ms")} / {queue.get("enqueue_to_start_p99_ms")}',
         f'target < 1 / < 5 (at {queue.get("latency_rate_per_s")} tasks/s)'),
        ("otto-worker RSS idle / peak MB", f'{queue["idle_rss_mb"]} / {queue["peak_rss_mb"]}', "target < 40"),
        ("otto-beat RSS idle MB", idle["beat_idle_rss_mb"], "target < 20"),
        ("idle worker Redis commands/s", idle["worker_commands_per_s"], "target < 2"),
        ("idle beat Redis commands/s", idle["beat_commands_per_s"], "target < 2"),
        ("startup: exec to /health ms", startup["api_to_health_ms"], ""),
        ("startup: exec to first heartbeat ms", startup["worker_to_heartbeat_ms"], ""),
    ]
    rows += bench_peers.rows(results) if "peers" in results else []
    rows += bench_scale.rows(results)
    for name, value in ceiling.get("redis_benchmark_ops_per_s", {}).items():
        rows.append((f"ceiling: redis {name} ops/s", value, "redis-benchmark -c 50"))
    rows += bench_pipeline.rows(results)
    width = max(len(r[0]) for r in rows)
    print(f"\nOtto benchmark — {results['machine']['cores']} cores, {results['machine']['cpu']}, "
          f"{results['machine']['date']}; wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{WRK_SECONDS}s after {WARMUP_SECONDS}s warm-up")
    for name, value, note in rows:
        print(f"  {name.ljust(width)}  {str(value).rjust(14)}  {note}")


def main():
    os.makedirs(os.path.join(ROOT, ".bench"), exist_ok=True)
    machine()
    only = set(sys.argv[1:]) or DEFAULT_SECTIONS
    if "api" in only:
        bench_api()
    if "queue" in only:
        bench_queue()
    if "idle" in only:
        bench_idle()
    if "redis" in only:
        bench_redis_ceiling()
    if "scale" in only:
        bench_scale.run(results, BIN, DATABASE_URL, REDIS_URL, REDIS_PORT)
    if "peers" in only:  # after "redis": its XADD figure is the queue's ceiling
        bench_peers.run(results, BIN, DATABASE_URL, REDIS_URL, REDIS_PORT)
    if "pipeline" in only:
        bench_pipeline.run(results, BIN, DATABASE_URL, REDIS_URL)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for name in (f"bench-{stamp}.json", "latest.json"):
        with open(os.path.join(ROOT, ".bench", name), "w") as output:
            json.dump(results, output, indent=2)
    if only == DEFAULT_SECTIONS:
        table()
    else:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
