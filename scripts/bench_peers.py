"""`make bench`'s peers section: the stack Otto replaces, measured beside Otto in the same run.

Called by scripts/bench.py (section "peers") as run(results, bin_dir, database_url, redis_url,
redis_port); writes results["peers"] and gives bench.py's table its rows (rows(results)).

Peers, installed from PyPI into .bench/venv (git-ignored; created here when missing):
- Celery 5.x, Redis as broker (its own Redis databases), prefork pool, concurrency 2;
- arq (asyncio, one process, its defaults), the second queue peer;
- FastAPI on uvicorn (2 workers) with asyncpg and redis.asyncio, for /health and /ready.

Every queue peer runs the same task (one Redis INCR, or HINCRBY for otto.ping's tally) through
the same steps on the same private Redis: enqueue 20,000 with one producer and no worker, drain
that pre-filled queue with one worker, end to end (the worker running, the producer enqueuing,
time to the last task), and the round trip of one task at a time. Completions are counted in
Redis by the tasks themselves and polled here every millisecond, so every system is timed by
the same clock and the same poll. A benchmark: it asserts nothing. If the peers cannot be
installed, the section records why and the rest of the bench runs on.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APPS = os.path.join(ROOT, "scripts", "bench_peer_apps")
# Major versions pinned, the resolver picking the rest. arq has a virtual environment of its own:
# it requires redis-py < 6 and Celery 5.7's kombu[redis] requires >= 6.4.
VENV = os.path.join(ROOT, ".bench", "venv")
REQUIREMENTS = ["celery[redis]>=5.3,<6", "fastapi<1", "uvicorn[standard]<1", "asyncpg<1"]
ARQ_VENV = os.path.join(ROOT, ".bench", "venv-arq")
ARQ_REQUIREMENTS = ["arq<1"]
TASKS = int(os.environ.get("BENCH_QUEUE_TASKS", "20000"))
ROUND_TRIPS = int(os.environ.get("BENCH_PEERS_ROUND_TRIPS", "300"))
# arq's worker polls its queue every 0.5 s when idle (poll_delay), so each of its round trips
# takes about that long: fewer of them.
ARQ_ROUND_TRIPS = min(ROUND_TRIPS, 60)
WAIT_LIMIT = 300
# Redis databases of the peers (Otto's keys live in database 0 under their own prefix).
CELERY_BROKER_DB, CELERY_RESULT_DB, ARQ_DB = 1, 2, 3


def log(message):
    print(message, file=sys.stderr, flush=True)


def ensure_venv(venv=VENV, requirements=REQUIREMENTS):
    """A peers' virtual environment: (python, None) when ready, (None, why) when not."""
    python = os.path.join(venv, "bin", "python")
    stamp = os.path.join(venv, "peers-requirements.txt")
    wanted = "\n".join(requirements) + "\n"
    try:
        with open(stamp) as existing:
            if existing.read() == wanted and os.path.exists(python):
                return python, None
    except FileNotFoundError:
        pass
    log(f"peers: installing {' '.join(requirements)} into {os.path.relpath(venv, ROOT)}")
    steps = [[sys.executable, "-m", "venv", venv], [python, "-m", "pip", "install", "-q", *requirements]]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            return None, f"{' '.join(step[:4])} failed: {(done.stderr or done.stdout).strip()[-400:]}"
    with open(stamp, "w") as output:
        output.write(wanted)
    return python, None


class Redis:
    """A minimal RESP client on one connection (the harness' own polls and writes)."""

    def __init__(self, port, db=0):
        self.sock = socket.create_connection(("127.0.0.1", int(port)))
        self.reader = self.sock.makefile("rb")
        if db:
            self.call("SELECT", str(db))

    def call(self, *parts):
        out = [f"*{len(parts)}\r\n".encode()]
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            out.append(f"${len(data)}\r\n".encode() + data + b"\r\n")
        self.sock.sendall(b"".join(out))
        return self.reply()

    def reply(self):
        line = self.reader.readline()
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            if rest == b"-1":
                return None
            data = self.reader.read(int(rest) + 2)[:-2]
            return data
        if kind == b"*":
            return [self.reply() for _ in range(int(rest))]
        raise RuntimeError(f"unexpected reply {line!r}")

    def close(self):
        self.sock.close()


def stop(process):
    """SIGTERM to the process group (Celery's pool children too), SIGKILL after 30 s."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def tree_rss_mb(pid):
    """Resident set size of a process and its children (a prefork pool is several processes)."""
    total = 0
    pids = [str(pid)]
    while pids:
        current = pids.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            with open(f"/proc/{current}/task/{current}/children") as children:
                pids += children.read().split()
        except FileNotFoundError:
            pass
    return round(total / 1024, 1)


def wait_count(count, target, began, worker):
    """Polls count() every millisecond until it reaches target. Returns (time of the first
    completion seen, the count then, time the target was reached), wall clock. Raises when the
    worker exits or WAIT_LIMIT passes first."""
    first = None
    while True:
        if worker.poll() is not None:
            raise RuntimeError(f"the worker exited with status {worker.returncode} after {count()} of {target} tasks")
        value = count()
        now = time.time()
        if value > 0 and first is None:
            first = (now, value)
        if value >= target:
            return first[0], first[1], now
        if now - began > WAIT_LIMIT:
            raise RuntimeError(f"only {value} of {target} tasks completed in {WAIT_LIMIT} s")
        time.sleep(0.001)


def percentiles(samples):
    ordered = sorted(samples)
    if not ordered:
        return {}
    return {"samples": len(ordered), "p50_ms": round(ordered[len(ordered) // 2], 3),
            "p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)], 3)}


class Otto:
    """otto-worker and `otto-worker enqueue` (release binaries of this run)."""

    name = "otto"

    def __init__(self, bin_dir, database_url, redis_url, redis_port):
        self.bin_dir, self.redis_port = bin_dir, redis_port
        self.prefix = f"otto-peers-{int(time.time())}:"
        self.env = {"PATH": "/usr/bin:/bin", "REDIS_URL": redis_url, "DATABASE_URL": database_url,
                    "ENABLE_CELERY": "true", "REDIS_KEY_PREFIX": self.prefix, "APP_ENV": "development",
                    "LOG_FORMAT": "json", "LOG_LEVEL": "info"}
        self.tally = "peers-tally"
        self.redis = Redis(redis_port)

    def describe(self):
        return "otto-worker, one process, its default concurrency; otto.ping with a tally (one HINCRBY)"

    def count(self):
        return self.redis.call("HLEN", self.prefix + self.tally)

    def reset(self):
        self.redis.call("EVAL", "for _,k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 0",
                        "0", self.prefix + "*")

    def start_worker(self, stdout=subprocess.DEVNULL):
        return subprocess.Popen([os.path.join(self.bin_dir, "otto-worker")], env=self.env, stdout=stdout,
                                stderr=subprocess.DEVNULL, start_new_session=True)

    def enqueue(self, count, wait=True):
        """`otto-worker enqueue otto.ping --count N` (pipelined); the times include its exec."""
        command = [os.path.join(self.bin_dir, "otto-worker"), "enqueue", "otto.ping", "--args",
                   json.dumps({"tally": self.tally}), "--count", str(count), "--json"]
        first = time.time()
        process = subprocess.Popen(command, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        return lambda: self._finished(process, first, count)

    @staticmethod
    def _finished(process, first, count):
        out, err = process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"otto-worker enqueue failed: {err.strip()[-300:]}")
        assert len(json.loads(out)["ids"]) == count
        return {"first_send": first, "last_send": time.time(), "count": count}

    def round_trips(self, samples):
        """Enqueue one otto.ping (XADD of its envelope, as bench_producer.py writes it) and wait
        for the worker's task-end line for its id on the worker's stdout; one after another."""
        worker = self.start_worker(stdout=subprocess.PIPE)
        began = time.monotonic()
        while not self.redis.call("ZCARD", self.prefix + "workers"):  # its first heartbeat: the group exists
            if time.monotonic() - began > 30:
                raise RuntimeError("otto-worker sent no heartbeat in 30 s")
            time.sleep(0.005)
        seen = {}
        lock = threading.Condition()

        def read():
            for line in worker.stdout:
                if b'"task finished"' in line:
                    at = time.perf_counter()
                    task = json.loads(line).get("task_id")
                    with lock:
                        seen[task] = at
                        lock.notify_all()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        stream = f"{self.prefix}{{default}}:stream"
        measured = []
        try:
            for index in range(samples + 5):
                task = str(uuid.uuid4())
                now = time.time()
                envelope = {"id": task, "name": "otto.ping", "args": json.dumps({"tally": self.tally}),
                            "queue": "default", "attempt": 1, "max_attempts": 5, "enqueued_at": round(now, 6),
                            "due_at": round(now, 6), "time_limit": 300}
                began = time.perf_counter()
                self.redis.call("XADD", stream, "*", "t", json.dumps(envelope))
                with lock:
                    if not lock.wait_for(lambda: task in seen, timeout=30):
                        raise RuntimeError("otto-worker did not finish a round-trip task in 30 s")
                    if index >= 5:  # the first few warm the worker's group and connections
                        measured.append((seen[task] - began) * 1000)
        finally:
            stop(worker)
        return measured


class PythonPeer:
    """A Python queue peer: its worker command line and its driver (queue_driver.py)."""

    def __init__(self, name, python, redis_port, worker_args, db, counter, description, round_trips=None):
        self.name, self.python, self.db, self.counter, self.description = name, python, db, counter, description
        self.round_trip_limit = round_trips
        self.worker_args = worker_args
        self.env = {"PATH": os.path.dirname(python) + ":/usr/bin:/bin", "PEER_REDIS_PORT": str(redis_port),
                    "PEER_BROKER_DB": str(CELERY_BROKER_DB), "PEER_RESULT_DB": str(CELERY_RESULT_DB),
                    "PEER_ARQ_DB": str(ARQ_DB), "PYTHONPATH": APPS, "HOME": os.environ.get("HOME", "/root")}
        self.redis = Redis(redis_port, db)
        self.extra_dbs = [Redis(redis_port, CELERY_RESULT_DB)] if name == "celery" else []

    def describe(self):
        return self.description

    def count(self):
        return int(self.redis.call("GET", self.counter) or 0)

    def reset(self):
        for connection in [self.redis, *self.extra_dbs]:
            connection.call("FLUSHDB")

    def start_worker(self):
        return subprocess.Popen(self.worker_args, cwd=APPS, env=self.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)

    def _driver(self, mode, count):
        return subprocess.Popen([self.python, os.path.join(APPS, "queue_driver.py"), self.name, mode, str(count)],
                                cwd=APPS, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    @staticmethod
    def _output(process, what):
        out, err = process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"{what} failed: {err.strip()[-300:]}")
        return json.loads(out)

    def enqueue(self, count):
        process = self._driver("enqueue", count)
        return lambda: self._output(process, f"{self.name} enqueue")

    def round_trips(self, samples):
        worker = self.start_worker()
        try:
            samples = min(samples, self.round_trip_limit or samples)
            return self._output(self._driver("roundtrip", samples), f"{self.name} round trip")["ms"]
        finally:
            stop(worker)


def measure_queue(system):
    """Enqueue, pre-filled drain, end to end and round trip for one queue system."""
    figures = {"configuration": system.describe(), "tasks": TASKS}
    system.reset()
    log(f"peers: {system.name}: enqueue {TASKS} with one producer, no worker")
    sent = system.enqueue(TASKS)()
    figures["enqueue_per_s"] = round((sent["count"] - 1) / max(sent["last_send"] - sent["first_send"], 1e-9))

    log(f"peers: {system.name}: drain the pre-filled queue with one worker")
    began = time.time()
    worker = system.start_worker()
    try:
        first, first_count, last = wait_count(system.count, TASKS, began, worker)
        figures["drain_per_s"] = round((TASKS - first_count) / max(last - first, 1e-9))
        figures["drain_worker_start_to_first_task_s"] = round(first - began, 3)
        figures["drain_rss_mb"] = tree_rss_mb(worker.pid)

        log(f"peers: {system.name}: end to end (worker running, producer enqueuing)")
        base = system.count()  # the worker keeps its queue: completions are counted from here
        finish = system.enqueue(TASKS)
        began = time.time()
        _, _, last = wait_count(lambda: system.count() - base, TASKS, began, worker)
        sent = finish()
        figures["end_to_end_per_s"] = round(TASKS / max(last - sent["first_send"], 1e-9))
        figures["end_to_end_enqueue_per_s"] = round((TASKS - 1) / max(sent["last_send"] - sent["first_send"], 1e-9))
        figures["worker_rss_mb"] = tree_rss_mb(worker.pid)
    finally:
        stop(worker)

    trips = min(ROUND_TRIPS, getattr(system, "round_trip_limit", None) or ROUND_TRIPS)
    log(f"peers: {system.name}: round trip, {trips} tasks one after another")
    system.reset()
    figures["round_trip"] = percentiles(system.round_trips(ROUND_TRIPS))
    system.reset()
    return figures


def wait_http(url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return True
        except Exception:
            time.sleep(0.02)
    return False


def otto_http(harness, bin_dir, database_url, redis_url, results):
    """Otto's /health and /ready: this run's api section when it ran, else measured here."""
    api = results.get("api", {})
    if "health" in api and "ready" in api:
        return {"health": api["health"], "ready": api["ready"], "source": "api section of this run"}
    port = harness.free_port()
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url, "REDIS_URL": redis_url, "PORT": str(port),
           "HOST": "127.0.0.1", "ENABLE_CELERY": "false", "APP_ENV": "development", "LOG_FORMAT": "json",
           "LOG_LEVEL": "info"}
    api = subprocess.Popen([os.path.join(bin_dir, "otto-api")], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        if not wait_http(f"http://127.0.0.1:{port}/ready"):
            raise RuntimeError("otto-api did not become ready")
        log("peers: otto-api GET /health")
        health = harness.wrk(f"http://127.0.0.1:{port}/health")
        log("peers: otto-api GET /ready")
        ready = harness.wrk(f"http://127.0.0.1:{port}/ready")
    finally:
        stop(api)
    return {"health": health, "ready": ready, "source": "measured in the peers section"}


def fastapi_http(harness, python, database_url, redis_port):
    port = harness.free_port()
    env = {"PATH": os.path.dirname(python) + ":/usr/bin:/bin", "DATABASE_URL": database_url,
           "PEER_REDIS_PORT": str(redis_port), "PYTHONPATH": APPS, "HOME": os.environ.get("HOME", "/root")}
    # uvicorn's defaults otherwise (uvloop and httptools with uvicorn[standard], access log on,
    # written to /dev/null as otto-api's request lines are).
    server = subprocess.Popen([os.path.join(os.path.dirname(python), "uvicorn"), "fastapi_app:app", "--host",
                               "127.0.0.1", "--port", str(port), "--workers", "2"], cwd=APPS, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        if not wait_http(f"http://127.0.0.1:{port}/ready"):
            raise RuntimeError("uvicorn did not become ready")
        log("peers: FastAPI GET /health")
        health = harness.wrk(f"http://127.0.0.1:{port}/health")
        log("peers: FastAPI GET /ready")
        ready = harness.wrk(f"http://127.0.0.1:{port}/ready")
        rss = tree_rss_mb(server.pid)
    finally:
        stop(server)
    return {"health": health, "ready": ready, "rss_mb": rss,
            "configuration": "uvicorn --workers 2 (uvloop, httptools), asyncpg pool, redis.asyncio"}


def xadd_ceiling(results, redis_port):
    """redis-benchmark's unpipelined XADD: this run's redis section when it ran, else measured."""
    ceiling = results.get("ceiling", {}).get("redis_benchmark_ops_per_s", {}).get("XADD")
    if ceiling:
        return ceiling
    output = subprocess.run(["redis-benchmark", "-p", str(redis_port), "-n", "100000", "-c", "50", "-q", "XADD",
                             "otto-bench-ceiling:stream", "*", "t", "x" * 300], capture_output=True, text=True).stdout
    subprocess.run(["redis-cli", "-p", str(redis_port), "DEL", "otto-bench-ceiling:stream"], capture_output=True)
    import re
    match = re.findall(r"([\d.]+) requests per second", output)
    return round(float(match[-1])) if match else None


def run(results, bin_dir, database_url, redis_url, redis_port):
    """The peers section: results["peers"] = {queue: {otto, celery, arq}, http: {otto, fastapi}, ...}."""
    # The same wrk settings and helpers as bench.py's own sections.
    harness = sys.modules["__main__"]
    if not hasattr(harness, "wrk"):
        import bench as harness

    peers = results.setdefault("peers", {})
    # The machine's load (1-minute average over its cores) as the section began and ended:
    # every figure here is noisy when others build on the same cores.
    peers["load_average_before"] = round(os.getloadavg()[0], 2)
    python, why = ensure_venv()
    if python is None:
        peers["skipped"] = why
        log(f"peers: skipped: {why}")
        return
    versions = subprocess.run([python, "-c", "import importlib.metadata as m, json; print(json.dumps({p: m.version(p) "
                               "for p in ['celery', 'kombu', 'redis', 'fastapi', 'uvicorn', 'asyncpg']}))"],
                              capture_output=True, text=True)
    peers["versions"] = json.loads(versions.stdout) if versions.returncode == 0 else versions.stderr.strip()
    arq_python, arq_why = ensure_venv(ARQ_VENV, ARQ_REQUIREMENTS)
    if arq_python:
        arq_version = subprocess.run([arq_python, "-c", "import importlib.metadata as m; print(m.version('arq'), "
                                      "m.version('redis'))"], capture_output=True, text=True).stdout.split()
        peers["versions"]["arq"], peers["versions"]["redis (arq)"] = (arq_version + [None, None])[:2]
    peers["xadd_ceiling_ops_per_s"] = xadd_ceiling(results, redis_port)
    bin_python = os.path.dirname(python)
    systems = [
        Otto(bin_dir, database_url, redis_url, redis_port),
        PythonPeer("celery", python, redis_port,
                   [os.path.join(bin_python, "celery"), "-A", "celery_app", "worker", "--pool=prefork",
                    "--concurrency=2", "--loglevel=WARNING"], CELERY_BROKER_DB, "peers:celery:done",
                   "celery worker --pool=prefork --concurrency=2, Redis broker and result backend, defaults "
                   "otherwise; a task doing one INCR, ignore_result (the round trip's task stores its result)"),
    ]
    if arq_python:
        systems.append(PythonPeer(
            "arq", arq_python, redis_port, [os.path.join(os.path.dirname(arq_python), "arq"), "arq_app.WorkerSettings"],
            ARQ_DB, "peers:arq:done", "arq worker, one asyncio process, its defaults (max_jobs 10, poll_delay "
            "0.5 s, results kept); a task doing one INCR", round_trips=ARQ_ROUND_TRIPS))
    queue = peers.setdefault("queue", {})
    if not arq_python:
        queue["arq"] = {"error": f"not installed: {arq_why}"}
        log(f"peers: arq skipped: {arq_why}")
    for system in systems:
        try:
            queue[system.name] = measure_queue(system)
        except Exception as error:  # a peer that breaks is reported, the others still run
            queue[system.name] = {"error": str(error)}
            log(f"peers: {system.name}: {error}")
    http = peers.setdefault("http", {})
    try:
        http["otto"] = otto_http(harness, bin_dir, database_url, redis_url, results)
        http["fastapi"] = fastapi_http(harness, python, database_url, redis_port)
    except Exception as error:
        http["error"] = str(error)
        log(f"peers: http: {error}")
    peers["load_average_after"] = round(os.getloadavg()[0], 2)
    for name, value, note in rows(results):
        log(f"{name}: {value}  {note}")


NAMES = {"celery": "Celery", "arq": "arq"}


def _ratio(otto, peer):
    return f"{otto / peer:.1f}x" if otto and peer else "n/a"


def rows(results):
    """bench.py's table rows: Otto's figure, each peer's, the ratio (Otto / peer), the target."""
    peers = results.get("peers", {})
    if "skipped" in peers:
        return [("peers", "skipped", peers["skipped"][:200])]
    queue, http = peers.get("queue", {}), peers.get("http", {})
    otto = queue.get("otto", {})
    loads = (peers.get("load_average_before"), peers.get("load_average_after"))
    ceiling = peers.get("xadd_ceiling_ops_per_s")
    out = []

    def queue_row(label, key, target=""):
        mine = otto.get(key)
        notes = [f"{NAMES.get(name, name)} {figures.get(key, 'not run')} (ratio {_ratio(mine, figures.get(key))})"
                 for name, figures in queue.items() if name != "otto"]
        out.append((f"peers: queue {label} tasks/s", f"Otto {mine}", "; ".join(notes) + target))

    queue_row("enqueue", "enqueue_per_s", "; one producer")
    e2e = otto.get("end_to_end_per_s")
    queue_row("end-to-end", "end_to_end_per_s",
              f"; target >= 50x Celery; >= 50% of XADD {ceiling}: "
              f"{round(100 * e2e / ceiling) if e2e and ceiling else 'n/a'}%")
    drain = otto.get("drain_per_s")
    queue_row("drain (pre-filled)", "drain_per_s",
              f"; target >= 70% of XADD {ceiling}: {round(100 * drain / ceiling) if drain and ceiling else 'n/a'}%")

    def trip(figures):
        rt = figures.get("round_trip", {})
        return f'{rt.get("p50_ms")} / {rt.get("p99_ms")}'

    out.append(("peers: queue round trip p50 / p99 ms", f"Otto {trip(otto)}",
                "; ".join(f"{NAMES.get(name, name)} {trip(figures)}"
                          for name, figures in queue.items() if name != "otto")
                + f"; one task at a time ({ROUND_TRIPS}; arq {ARQ_ROUND_TRIPS})"))
    out.append(("peers: worker RSS MB (end of run)", f'Otto {otto.get("worker_rss_mb")}',
                "; ".join(f'{NAMES.get(name, name)} {figures.get("worker_rss_mb")}' for name, figures in queue.items()
                          if name != "otto") + " (process tree)"))
    for path in ("health", "ready"):
        mine = http.get("otto", {}).get(path, {}).get("rps")
        peer = http.get("fastapi", {}).get(path, {}).get("rps")
        out.append((f"peers: GET /{path} req/s", f"Otto {mine}", f"FastAPI {peer} (ratio {_ratio(mine, peer)}); "
                    f"p99 Otto {http.get('otto', {}).get(path, {}).get('p99_ms')} / FastAPI "
                    f"{http.get('fastapi', {}).get(path, {}).get('p99_ms')} ms"))
    for name, figures in [*queue.items(), ("http", http)]:
        if "error" in figures:  # one line: the end of pip's or the peer's own message
            out.append((f"peers: {NAMES.get(name, name)}", "not run", " ".join(figures["error"].split())[-200:]))
    out.append(("peers: load average before / after", f"{loads[0]} / {loads[1]}", "1-minute, over all cores"))
    return out
