"""`make bench`'s pipeline section: the call pipeline's throughput against provider stand-ins
with the providers' typical latencies, and the small tenants' latency under one tenant's burst.

A benchmark, not a test: it asserts nothing. scripts/bench.py calls `run(results, bin_dir,
database_url, redis_url)`, which fills `results["pipeline"]`; `rows(results)` gives its lines
of bench.py's table. It starts scripts/bench_standins.py, one otto-api (ENABLE_CELERY=true,
the Twilio recording webhook) and one otto-worker (default WORKER_CONCURRENCY and provider
limits, provider base URLs at the stand-ins) on a database of its own (created through the
superuser URL scripts/services.sh exports, dropped at the end; the shared one when no
superuser URL is set) and a Redis key prefix of its own (deleted at the end), and measures:

  throughput  BENCH_PIPELINE_CALLS recordings (default 300) across 5 tenants, posted as fast
              as the API takes them: calls analysed per second from the first post to the last
              analysis, against the providers' ceiling (min over providers of concurrency /
              latency); the peak concurrency each stand-in saw; provider requests, Redis
              commands per call; the processes' peak RSS.
  skew        one tenant posts BENCH_PIPELINE_BURST recordings (default 1000) while 4 tenants
              post BENCH_PIPELINE_SMALL_RATE calls a second each (default 1) for
              BENCH_PIPELINE_SKEW_SECONDS (default 60; less if the burst is analysed first):
              the small tenants' p50/p99 time to analysis (recording received -> analysis row
              created, both PostgreSQL's clock, once all their calls are analysed), the burst's
              p50/p99 over the calls analysed by then, and an idle single call's time measured
              first in the same run. With the per-tenant cap (PIPELINE_TENANT_CONCURRENCY, 4)
              the burst tenant alone drains at most 4 calls per pipeline run, so a burst of 1000
              lasts far longer than the window: its backlog stands throughout, and what is left
              of it is dropped with the database.

Variables: BENCH_PIPELINE_CALLS, BENCH_PIPELINE_BURST, BENCH_PIPELINE_SECONDS (each recording's
length, default 150: a 2.5-minute call), BENCH_PIPELINE_LATENCY (the stand-ins' --latency,
default their typical figures), BENCH_PIPELINE_TIMEOUT (seconds each phase may take, default
900), BENCH_PIPELINE_POSTERS (concurrent webhook senders, default 16), BENCH_PIPELINE_PORTS
(first of 10 ports to use, default: free ones picked at random). DEEPGRAM_CONCURRENCY,
OPENAI_CONCURRENCY, TWILIO_MEDIA_CONCURRENCY, WORKER_CONCURRENCY and PIPELINE_TENANT_CONCURRENCY
pass through to the worker when set.
"""

import base64
import concurrent.futures
import hashlib
import hmac
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import bench_standins  # noqa: E402

CALLS = int(os.environ.get("BENCH_PIPELINE_CALLS", "300"))
BURST = int(os.environ.get("BENCH_PIPELINE_BURST", "1000"))
SECONDS = int(os.environ.get("BENCH_PIPELINE_SECONDS", "150"))
TIMEOUT = float(os.environ.get("BENCH_PIPELINE_TIMEOUT", "900"))
POSTERS = int(os.environ.get("BENCH_PIPELINE_POSTERS", "16"))
SKEW_SECONDS = float(os.environ.get("BENCH_PIPELINE_SKEW_SECONDS", "60"))
SMALL_RATE = float(os.environ.get("BENCH_PIPELINE_SMALL_RATE", "1"))
LATENCY = os.environ.get("BENCH_PIPELINE_LATENCY", "")
PASSED_THROUGH = ("DEEPGRAM_CONCURRENCY", "OPENAI_CONCURRENCY", "TWILIO_MEDIA_CONCURRENCY", "WORKER_CONCURRENCY",
                  "PIPELINE_TENANT_CONCURRENCY", "DEEPGRAM_RATE_LIMIT", "OPENAI_RATE_LIMIT", "TWILIO_MEDIA_RATE_LIMIT")
# Otto's defaults (Sources/OttoCore/Configuration/PipelineConfiguration.swift, WorkerConfiguration.swift).
DEFAULT_PROVIDER_CONCURRENCY = 20
DEFAULT_TENANT_CONCURRENCY = 4
TENANTS = 5
SMALL_TENANTS = 4
TWILIO_TOKEN = bench_standins.TWILIO_TOKEN
ACCOUNT = bench_standins.TWILIO_ACCOUNT


def log(message):
    print(message, file=sys.stderr, flush=True)


class Interrupted(Exception):
    pass


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def peak_rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except FileNotFoundError:
        pass
    return None


def loadavg():
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


class Ports:
    """BENCH_PIPELINE_PORTS and the next nine, or free ports below the ephemeral range."""

    def __init__(self):
        base = os.environ.get("BENCH_PIPELINE_PORTS")
        self.next = int(base) if base else None

    def take(self):
        if self.next is not None:
            port, self.next = self.next, self.next + 1
            return port
        while True:
            port = random.randrange(20000, 32000)
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port


class Pipeline:
    """The processes, database and keys of one run; `close()` removes them all."""

    def __init__(self, bin_dir, database_url, redis_url):
        self.bin_dir, self.shared_database_url, self.redis_url = bin_dir, database_url, redis_url
        self.stamp = f"{int(time.time())}{os.getpid() % 1000:03d}"
        self.prefix = f"otto-bench-pipeline-{self.stamp}:"
        self.ports = Ports()
        self.processes = []
        self.own_database = None
        self.database_url = database_url
        self.serial = 0
        self.serial_lock = threading.Lock()
        self.logs = os.path.join(ROOT, ".bench")
        os.makedirs(self.logs, exist_ok=True)

    # --- setup and teardown

    def database(self):
        admin = os.environ.get("OTTO_TEST_PG_SUPERUSER_URL")
        if not admin:
            log("pipeline: no OTTO_TEST_PG_SUPERUSER_URL; using the shared database (its rows stay)")
            return
        parts = urllib.parse.urlsplit(self.shared_database_url)
        name = f"otto_bench_pipeline_{self.stamp}"
        owner = parts.username
        subprocess.run(["psql", admin, "-qAt", "-v", "ON_ERROR_STOP=1", "-c",
                        f'CREATE DATABASE "{name}" OWNER "{owner}"'], check=True, capture_output=True, text=True)
        self.own_database = (admin, name)
        self.database_url = urllib.parse.urlunsplit(parts._replace(path="/" + name))
        subprocess.run([os.path.join(self.bin_dir, "otto-api"), "migrate"], env=self.base_env(),
                       check=True, capture_output=True, text=True)

    def base_env(self):
        return {"PATH": "/usr/bin:/bin", "APP_ENV": "development", "LOG_FORMAT": "json", "LOG_LEVEL": "info",
                "DATABASE_URL": self.database_url, "REDIS_URL": self.redis_url, "REDIS_KEY_PREFIX": self.prefix}

    def start(self):
        self.database()
        # A port per provider, as each real one is a host of its own (connection pools are per host).
        ports = {name: self.ports.take() for name in bench_standins.PROVIDERS}
        self.standin_urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        self.standin_url = self.standin_urls["twilio"]
        args = [sys.executable, os.path.join(ROOT, "scripts", "bench_standins.py")]
        for port in ports.values():
            args += ["--port", str(port)]
        if LATENCY:
            args += ["--latency", LATENCY]
        standin = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=open(os.path.join(self.logs, "pipeline-standins.log"), "w"),
                                   text=True)
        self.processes.append(standin)
        if standin.stdout.readline().split() != ["ready", *map(str, ports.values())]:
            raise RuntimeError("pipeline: the stand-ins did not start")
        self.api_port = self.ports.take()
        self.api_url = f"http://127.0.0.1:{self.api_port}"
        self.env = {
            **self.base_env(), "ENABLE_CELERY": "true", "HOST": "127.0.0.1", "PORT": str(self.api_port),
            "PUBLIC_BASE_URL": self.api_url,
            "TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "DEEPGRAM_API_KEY": bench_standins.DEEPGRAM_KEY, "DEEPGRAM_BASE_URL": self.standin_urls["deepgram"],
            "OPENAI_API_KEY": bench_standins.OPENAI_KEY, "OPENAI_BASE_URL": self.standin_urls["openai"],
            # CallRail is not exercised; its base URL points at the stand-ins so nothing leaves the machine.
            "CALLRAIL_API_KEY": "standin-callrail-key", "CALLRAIL_BASE_URL": self.standin_url,
            "CALLRAIL_SIGNING_KEY": "bench",
            "CLERK_SECRET_KEY": "sk_test_benchbenchbench",
            "CLERK_PUBLISHABLE_KEY": "pk_test_" + base64.b64encode(b"clerk.bench.example$").decode(),
            "CLERK_JWT_KEY": bench_public_key(),
            "ALLOWED_ORIGINS": "https://bench.example",
            "RATE_LIMIT_API": "1000000/1s", "RATE_LIMIT_WEBHOOKS": "1000000/1s",
        }
        if self.env["CLERK_JWT_KEY"] is None:
            del self.env["CLERK_JWT_KEY"]
        for name in PASSED_THROUGH:
            if os.environ.get(name):
                self.env[name] = os.environ[name]
        self.api = self.spawn("otto-api", "pipeline-api.log")
        if not wait_http(self.api_url + "/health", 30):
            raise RuntimeError("pipeline: otto-api did not start (see .bench/pipeline-api.log)")
        self.worker = self.spawn("otto-worker", "pipeline-worker.log")

    def spawn(self, binary, log_name):
        output = open(os.path.join(self.logs, log_name), "w")
        process = subprocess.Popen([os.path.join(self.bin_dir, binary)], env=self.env, stdout=output,
                                   stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def close(self):
        # The worker first (it drains its steps against the stand-ins), then the API, then the stand-ins.
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        try:
            self.redis("EVAL", "local n = 0 for _,k in ipairs(redis.call('KEYS', ARGV[1])) do "
                               "redis.call('DEL', k) n = n + 1 end return n", "0", self.prefix + "*")
        except Exception as error:  # noqa: BLE001 - cleanup goes on
            log(f"pipeline: could not delete the Redis keys {self.prefix}*: {error}")
        if self.own_database:
            admin, name = self.own_database
            subprocess.run(["psql", admin, "-qAt", "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
                           capture_output=True, text=True)

    # --- helpers

    def redis(self, *args):
        return subprocess.run(["redis-cli", "-u", self.redis_url, *args], capture_output=True, text=True,
                              check=True, timeout=30).stdout

    def redis_commands(self):
        info = self.redis("INFO", "stats")
        return int(re.search(r"total_commands_processed:(\d+)", info).group(1))

    def redis_commandstats(self):
        stats = {}
        for line in self.redis("INFO", "commandstats").splitlines():
            match = re.match(r"cmdstat_([^:]+):calls=(\d+)", line)
            if match:
                stats[match.group(1)] = int(match.group(2))
        return stats

    def sql(self, statements):
        """Runs statements through psql (unaligned, one value a line); the output's lines."""
        result = subprocess.run(["psql", self.database_url, "-qAtX", "-v", "ON_ERROR_STOP=1"], input=statements,
                                capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"psql: {result.stderr.strip()}")
        return [line for line in result.stdout.splitlines() if line.strip()]

    def scoped(self, tenant, query):
        return (f"BEGIN; SELECT set_config('app.tenant_id', '{tenant}', true) \\g /dev/null\n"
                f"{query}; COMMIT;\n")

    def analysed(self, tenants):
        lines = self.sql("".join(self.scoped(t, "SELECT count(*) FROM analyses") for t in tenants))
        return sum(int(line) for line in lines)

    def times_to_analysis(self, tenant, since=None):
        """Milliseconds from each recording's arrival to its analysis (PostgreSQL's clock)."""
        where = f" WHERE r.received_at >= to_timestamp({since})" if since else ""
        return [float(line) for line in self.sql(self.scoped(
            tenant, "SELECT (extract(epoch FROM a.created_at - r.received_at) * 1000)::float8 "
                    f"FROM analyses a JOIN recordings r ON r.call_id = a.call_id{where}"))]

    def last_analysis_epoch(self, tenants):
        values = [float(line) for line in self.sql("".join(
            self.scoped(t, "SELECT coalesce(extract(epoch FROM max(created_at)), 0)::float8 FROM analyses")
            for t in tenants))]
        return max(values)

    def failed_workflows(self):
        lines = self.sql("BEGIN; SELECT set_config('app.maintenance', 'on', true) \\g /dev/null\n"
                         "SELECT count(*) FROM workflows WHERE state = 'failed'; COMMIT;\n")
        return int(lines[0])

    def create_tenant(self, label):
        org = f"org_bench_pipeline_{self.stamp}_{label}"
        created = subprocess.run([os.path.join(self.bin_dir, "otto-api"), "tenants", "create", "--clerk-org", org,
                                  "--name", f"Bench {label}", "--json"], env=self.env, capture_output=True, text=True,
                                 check=True)
        return json.loads(created.stdout.strip().splitlines()[-1])["id"]

    def stats(self):
        with urllib.request.urlopen(self.standin_url + "/stats", timeout=10) as response:
            return json.loads(response.read())

    def reset_stats(self):
        request = urllib.request.Request(self.standin_url + "/stats/reset", data=b"", method="POST")
        urllib.request.urlopen(request, timeout=10).read()

    def alive(self):
        for process, name in ((self.api, "otto-api"), (self.worker, "otto-worker")):
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode} (see .bench/pipeline-*.log)")

    # --- recordings

    def callback(self, tenant, duration, channels):
        """A completed recording's status callback, signed as Twilio signs it: (path, body, signature)."""
        with self.serial_lock:
            self.serial += 1
            serial = self.serial
        sid = bench_standins.recording_sid(duration, channels, int(self.stamp) * 100000 + serial)
        call_sid = "CA" + hashlib.md5(sid.encode()).hexdigest()
        params = {
            "AccountSid": ACCOUNT, "CallSid": call_sid, "RecordingSid": sid,
            "RecordingUrl": f"{self.standin_url}/2010-04-01/Accounts/{ACCOUNT}/Recordings/{sid}",
            "RecordingStatus": "completed", "RecordingDuration": str(duration), "RecordingChannels": str(channels),
            "RecordingStartTime": time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(time.time() - duration)),
            "RecordingSource": "RecordVerb", "RecordingTrack": "both",
        }
        path = f"/webhooks/twilio/{tenant}/recording"
        data = self.api_url + path + "".join(k + v for k, v in sorted(params.items()))
        signature = base64.b64encode(hmac.new(TWILIO_TOKEN.encode(), data.encode(), hashlib.sha1).digest()).decode()
        return path, urllib.parse.urlencode(params), signature

    def recording(self, index):
        """Each recording's length and channels: SECONDS +-20%, dual-channel every other one."""
        spread = max(1, SECONDS // 5)
        return max(5, SECONDS - spread + (index * 37) % (2 * spread + 1)), 2 if index % 2 == 0 else 1


class Poster:
    """Signed recording callbacks over keep-alive connections, one connection per thread."""

    def __init__(self, pipeline):
        self.pipeline = pipeline
        self.local = threading.local()
        self.statuses = {}
        self.lock = threading.Lock()

    def post(self, tenant, index):
        duration, channels = self.pipeline.recording(index)
        path, body, signature = self.pipeline.callback(tenant, duration, channels)
        status = 0
        for _ in range(3):
            connection = getattr(self.local, "connection", None)
            if connection is None:
                connection = self.local.connection = http.client.HTTPConnection("127.0.0.1", self.pipeline.api_port,
                                                                                timeout=30)
            try:
                connection.request("POST", path, body=body, headers={
                    "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})
                response = connection.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    self.local.connection = None
                break
            except (OSError, http.client.HTTPException):
                connection.close()
                self.local.connection = None
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
        return status


def wait_http(url, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return True
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.05)
    return False


def wait_for(pipeline, tenants, count, timeout, label):
    """Polls until `count` analyses exist for `tenants`; answers how many there are."""
    deadline = time.monotonic() + timeout
    done, last_report = 0, 0.0
    while time.monotonic() < deadline:
        pipeline.alive()
        done = pipeline.analysed(tenants)
        if done >= count:
            return done
        if time.monotonic() - last_report > 15:
            log(f"pipeline: {label}: {done} of {count} analysed (load {loadavg()})")
            last_report = time.monotonic()
        time.sleep(0.5)
    log(f"pipeline: {label}: timed out after {timeout:.0f} s with {done} of {count} analysed")
    return done


def provider_limits(env):
    return {
        "deepgram": int(env.get("DEEPGRAM_CONCURRENCY", DEFAULT_PROVIDER_CONCURRENCY)),
        "openai": int(env.get("OPENAI_CONCURRENCY", DEFAULT_PROVIDER_CONCURRENCY)),
        "twilio": int(env.get("TWILIO_MEDIA_CONCURRENCY", DEFAULT_PROVIDER_CONCURRENCY)),
    }


def throughput(pipeline, out):
    tenants = [pipeline.create_tenant(f"t{i}") for i in range(TENANTS)]
    time.sleep(1.0)  # the worker is up and idle
    pipeline.reset_stats()
    commands_before = pipeline.redis_commands()
    commandstats_before = pipeline.redis_commandstats()
    poster = Poster(pipeline)
    log(f"pipeline: throughput: {CALLS} recordings of about {SECONDS} s across {TENANTS} tenants, "
        f"{POSTERS} senders")
    first_post = time.time()
    with concurrent.futures.ThreadPoolExecutor(POSTERS) as pool:
        list(pool.map(lambda i: poster.post(tenants[i % TENANTS], i), range(CALLS)))
    posted = time.time()
    done = wait_for(pipeline, tenants, CALLS, TIMEOUT, "throughput")
    last = pipeline.last_analysis_epoch(tenants)
    stats = pipeline.stats()
    commands = pipeline.redis_commands() - commands_before
    commandstats_after = pipeline.redis_commandstats()
    top = sorted(((n, commandstats_after.get(n, 0) - commandstats_before.get(n, 0)) for n in commandstats_after),
                 key=lambda item: -item[1])[:8]
    latency = stats["latency"]
    limits = provider_limits(pipeline.env)
    bounds = {name: limits[name] / latency[name] for name in limits if latency.get(name, 0) > 0}
    ceiling = min(bounds.values()) if bounds else None
    tenant_cap = int(pipeline.env.get("PIPELINE_TENANT_CONCURRENCY", DEFAULT_TENANT_CONCURRENCY))
    worker_concurrency = int(pipeline.env.get("WORKER_CONCURRENCY", 2 * (os.cpu_count() or 1)))
    step_seconds = sum(latency.values())
    rate = done / (last - first_post) if done and last > first_post else 0.0
    out["throughput"] = {
        "calls": CALLS, "analysed": done, "tenants": TENANTS, "recording_seconds": SECONDS,
        "post_seconds": round(posted - first_post, 2), "posts_per_s": round(CALLS / max(posted - first_post, 1e-9), 1),
        "post_statuses": poster.statuses,
        "seconds": round(last - first_post, 2) if last else None,
        "calls_per_s": round(rate, 3),
        "ceiling_calls_per_s": round(ceiling, 3) if ceiling else None,
        "ceiling_by_provider": {k: round(v, 3) for k, v in bounds.items()},
        "ratio": round(rate / ceiling, 3) if ceiling else None,
        # otto-worker keeps as many connections a host as its largest provider limit.
        "connections_per_host": max(limits.values()) if limits else None,
        "connection_pool_bound_calls_per_s": round(min(
            min(limits[n], max(limits.values())) / latency[n] for n in bounds), 3) if bounds else None,
        "tenant_cap_bound_calls_per_s": round(TENANTS * tenant_cap / step_seconds, 3) if step_seconds else None,
        "worker_concurrency": worker_concurrency,
        "worker_concurrency_is_default": "WORKER_CONCURRENCY" not in pipeline.env,
        "worker_bound_calls_per_s": round(worker_concurrency / step_seconds, 3) if step_seconds else None,
        "provider_limits": limits, "latency_s": latency,
        "peak_concurrency": {name: stats[name]["max_concurrency"] for name in bench_standins.PROVIDERS},
        "peak_concurrency_all": stats.get("all", {}).get("max_concurrency"),
        "requests_per_call": {name: round(stats[name]["requests"] / max(done, 1), 3) for name in bench_standins.PROVIDERS},
        "rejected": {name: stats[name]["rejected_by_status"] for name in bench_standins.PROVIDERS},
        "rejection_reasons": stats["reasons"][-5:],
        "redis_commands_per_call": round(commands / max(done, 1), 1),
        "redis_top_commands_per_call": {name: round(count / max(done, 1), 1) for name, count in top},
        "failed_workflows": pipeline.failed_workflows(),
        "load": loadavg(),
    }
    return tenants


def skew(pipeline, out):
    big = pipeline.create_tenant("burst")
    small = [pipeline.create_tenant(f"small{i}") for i in range(SMALL_TENANTS)]
    pipeline.reset_stats()
    poster = Poster(pipeline)
    # The idle reference: single calls one at a time, nothing else in flight.
    idle = []
    for index, tenant in enumerate(small[:3]):
        before = pipeline.analysed([tenant])
        poster.post(tenant, 10_000 + index)
        wait_for(pipeline, [tenant], before + 1, 120, "idle call")
    for tenant in small[:3]:
        idle += pipeline.times_to_analysis(tenant)
    idle_ms = statistics.median(idle) if idle else None
    log(f"pipeline: skew: idle single call {idle_ms and round(idle_ms)} ms; burst of {BURST} beside "
        f"{SMALL_TENANTS} tenants sending one call a second")
    began = time.time()
    small_sent = 0
    burst_done = threading.Event()

    def burst():
        with concurrent.futures.ThreadPoolExecutor(POSTERS) as pool:
            list(pool.map(lambda i: poster.post(big, 20_000 + i), range(BURST)))
        burst_done.set()

    sender = threading.Thread(target=burst, daemon=True)
    sender.start()
    deadline = time.monotonic() + SKEW_SECONDS
    rounds, analysed_big, last_report = 0, 0, 0.0
    small_poster = Poster(pipeline)
    interval = 1.0 / SMALL_RATE
    while time.monotonic() < deadline:
        tick = time.monotonic()
        pipeline.alive()
        for tenant in small:
            small_poster.post(tenant, 30_000 + small_sent)
            small_sent += 1
        rounds += 1
        analysed_big = pipeline.analysed([big])
        if analysed_big >= BURST:
            break
        if tick - last_report > 15:
            log(f"pipeline: skew: burst {analysed_big} of {BURST} analysed, {rounds} rounds of small calls "
                f"(load {loadavg()})")
            last_report = tick
        time.sleep(max(0.0, interval - (time.monotonic() - tick)))
    sender.join(timeout=60)
    window = time.time() - began
    wait_for(pipeline, small, 3 + small_sent, TIMEOUT, "small tenants")
    analysed_big = pipeline.analysed([big])
    burst_seconds = time.time() - began
    during = []
    for tenant in small:
        during += pipeline.times_to_analysis(tenant, since=began)
    big_times = pipeline.times_to_analysis(big)
    stats = pipeline.stats()
    small_p99 = percentile(during, 0.99)
    out["skew"] = {
        "burst": BURST, "burst_analysed": analysed_big, "burst_seconds": round(burst_seconds, 1),
        "window_seconds": round(window, 1), "small_rate_per_tenant": SMALL_RATE,
        "small_offered_calls_per_s": round(SMALL_TENANTS * SMALL_RATE, 2),
        "small_tenants": SMALL_TENANTS, "small_calls_sent": small_sent, "small_calls_analysed": len(during),
        "rounds": rounds,
        "idle_call_ms": round(idle_ms, 1) if idle_ms else None, "idle_calls_ms": [round(v, 1) for v in idle],
        "small_p50_ms": round(percentile(during, 0.5), 1) if during else None,
        "small_p99_ms": round(small_p99, 1) if during else None,
        "small_max_ms": round(max(during), 1) if during else None,
        "burst_p50_ms": round(percentile(big_times, 0.5), 1) if big_times else None,
        "burst_p99_ms": round(percentile(big_times, 0.99), 1) if big_times else None,
        "small_p99_over_idle": round(small_p99 / idle_ms, 2) if during and idle_ms else None,
        "post_statuses": {**poster.statuses, **{f"small {k}": v for k, v in small_poster.statuses.items()}},
        "peak_concurrency": {name: stats[name]["max_concurrency"] for name in bench_standins.PROVIDERS},
        "rejected": {name: stats[name]["rejected_by_status"] for name in bench_standins.PROVIDERS},
        "failed_workflows": pipeline.failed_workflows(),
        "load": loadavg(),
    }


def run(results, bin_dir, database_url, redis_url):
    """The pipeline section: fills results["pipeline"]; every process, key and database it made
    is removed on every exit (SIGTERM and SIGINT included)."""
    out = results.setdefault("pipeline", {})
    out["load_before"] = loadavg()
    pipeline = Pipeline(bin_dir, database_url, redis_url)

    def interrupted(signum, frame):
        raise Interrupted(f"signal {signum}")

    previous = {sig: signal.signal(sig, interrupted) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        pipeline.start()
        throughput(pipeline, out)
        skew(pipeline, out)
        out["api_peak_rss_mb"] = peak_rss_mb(pipeline.api.pid)
        out["worker_peak_rss_mb"] = peak_rss_mb(pipeline.worker.pid)
        out["load_after"] = loadavg()
    except (Interrupted, RuntimeError, subprocess.CalledProcessError) as error:
        out["error"] = str(error) if not isinstance(error, subprocess.CalledProcessError) else \
            f"{error.cmd}: {error.stderr}"
        log(f"pipeline: stopped: {out['error']}")
    finally:
        try:
            pipeline.close()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    for name, value, note in rows(results):
        log(f"  {name}  {value}  {note}")
    return out


def rows(results):
    """The section's lines of bench.py's table: (name, value, note)."""
    section = results.get("pipeline") or {}
    lines = []
    if "error" in section:
        lines.append(("pipeline: stopped", "", section["error"][:200]))
    t, s = section.get("throughput"), section.get("skew")
    if t:
        peaks = ", ".join(f"{n} {t['peak_concurrency'][n]}/{t['provider_limits'][n]}" for n in t["provider_limits"])
        over = [n for n in t["provider_limits"] if t["peak_concurrency"][n] > t["provider_limits"][n]]
        lines += [
            ("pipeline calls analysed/s", t["calls_per_s"],
             f"ceiling {t['ceiling_calls_per_s']} (min concurrency/latency: "
             + ", ".join(f"{k} {v}" for k, v in t["ceiling_by_provider"].items())
             + f"); ratio {t['ratio']}; {t['analysed']} of {t['calls']} calls of ~{t['recording_seconds']} s in {t['seconds']} s"),
            ("pipeline worker bound calls/s", t["worker_bound_calls_per_s"],
             f"WORKER_CONCURRENCY {t['worker_concurrency']}{' (default: 2 x cores)' if t['worker_concurrency_is_default'] else ''}"
             f" / sum of latencies {round(sum(t['latency_s'].values()), 2)} s (a step holds its worker slot through its provider call)"),
            ("pipeline connection-pool bound calls/s", t.get("connection_pool_bound_calls_per_s"),
             f"min over providers of min(limit, {t.get('connections_per_host')} connections a host) / latency: "
             "otto-worker sizes its HTTP client's pool to the largest provider limit"),
            ("pipeline tenant-cap bound calls/s", t["tenant_cap_bound_calls_per_s"],
             f"{t['tenants']} tenants x PIPELINE_TENANT_CONCURRENCY / sum of latencies"),
            ("pipeline webhook posts/s", t["posts_per_s"], f"statuses {t['post_statuses']}"),
            ("pipeline peak provider concurrency", peaks + (f"; OVER THE LIMIT: {over}" if over else ""),
             "seen by the stand-ins / configured limit"),
            ("pipeline provider requests per call",
             ", ".join(f"{k} {v}" for k, v in t["requests_per_call"].items()),
             f"rejected by the stand-ins: {t['rejected']}"),
            ("pipeline Redis commands per call", t["redis_commands_per_call"],
             ", ".join(f"{k} {v}" for k, v in list(t["redis_top_commands_per_call"].items())[:5])),
            ("pipeline failed workflows", t["failed_workflows"], f"load during throughput {t['load']}"),
        ]
    if s:
        lines += [
            ("pipeline idle single call ms", s["idle_call_ms"], f"median of {len(s['idle_calls_ms'])}: {s['idle_calls_ms']}"),
            ("pipeline small tenants p50 / p99 ms", f"{s['small_p50_ms']} / {s['small_p99_ms']}",
             f"ratio p99/idle {s['small_p99_over_idle']}; {s['small_calls_analysed']} of {s['small_calls_sent']} calls "
             f"from {s['small_tenants']} tenants at {s['small_rate_per_tenant']}/s each for {s['window_seconds']} s, "
             f"beside a burst of {s['burst']}"),
            ("pipeline small tenants' offered load calls/s", s["small_offered_calls_per_s"],
             ("OVERLOADED: above the measured throughput " + str(t["calls_per_s"]) + ", so their latency grows "
              "with the window whatever the fairness") if t and s["small_offered_calls_per_s"] > t["calls_per_s"]
             else f"below the measured throughput {t['calls_per_s'] if t else '?'}"),
            ("pipeline burst tenant p50 / p99 ms", f"{s['burst_p50_ms']} / {s['burst_p99_ms']}",
             f"over the {s['burst_analysed']} of {s['burst']} analysed in {s['burst_seconds']} s; load {s['load']}"),
        ]
    if section.get("worker_peak_rss_mb") is not None:
        lines.append(("pipeline RSS peak worker / API MB",
                      f"{section['worker_peak_rss_mb']} / {section['api_peak_rss_mb']}", ""))
    return lines


def bench_public_key():
    """An RS256 public key for otto-api's CLERK_JWT_KEY (the bench sends no Clerk token: any
    valid key will do; its private half is discarded), or None without `cryptography`."""
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
    except ImportError:
        return None
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()

