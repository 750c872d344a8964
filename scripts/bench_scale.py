"""The "scale" section of `make bench` (scripts/bench.py): the queue with 1, 2 and 4 workers.

For each worker count, 20,000 `otto.ping` tasks (BENCH_QUEUE_TASKS) go through that many
otto-worker processes on one Redis while the producer (`otto-worker enqueue --count`) is still
writing them, as the queue section does for one. Around each pass the section reads Redis' own
INFO: used_cpu_sys + used_cpu_user (Redis' CPU seconds, so its share of one core), commandstats
(commands by name, per task) and total_net_input_bytes / total_net_output_bytes (bytes per
task). Commandstats count the commands scripts call as well as the clients' own, so a separate
pass of 2,000 tasks through one worker under MONITOR splits the commands a client sends (what a
per-command bill such as Upstash's counts: one EVALSHA is one command) from those its scripts run,
and a pass of 500 tasks at 50/s through one worker (scripts/bench_producer.py) gives the commands
and bytes per task where no batch forms, as at a real deployment's call volumes. Each full-speed
pass also reads the workers' CPU (/proc/<pid>/stat utime + stime) per task. Results go to
results["scale"]; rows(results) gives bench.py's table rows; docs/capacity.md uses the figures.

The section's own polling (a command or two every 20 ms to see that the queue drained) and its
INFO reads are subtracted from the counts by name, and the INFO replies' bytes from the bytes;
the polls' bytes (a few hundred per poll) are not, and are well under 1 % of a pass's. A benchmark: it asserts nothing.
"""

import os
import socket
import subprocess
import sys
import threading
import time

WORKER_COUNTS = (1, 2, 4)
MONITOR_TASKS = 2000
POLL_SECONDS = 0.02
TRICKLE_TASKS = 500
TRICKLE_RATE = 50


def log(message):
    print(message, file=sys.stderr, flush=True)


class Redis:
    """A minimal RESP client on one connection, so the section's own commands are few and counted."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", int(port)))
        self.reader = self.sock.makefile("rb")
        self.sent = {}

    def call(self, *parts):
        name = parts[0].lower()
        self.sent[name] = self.sent.get(name, 0) + 1
        out = [f"*{len(parts)}\r\n".encode()]
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            out.append(f"${len(data)}\r\n".encode() + data + b"\r\n")
        self.sock.sendall(b"".join(out))
        return self._read()

    def _read(self):
        line = self.reader.readline().rstrip(b"\r\n")
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            length = int(rest)
            if length < 0:
                return None
            data = self.reader.read(length + 2)[:-2]
            return data.decode()
        if kind == b"*":
            length = int(rest)
            return None if length < 0 else [self._read() for _ in range(length)]
        raise RuntimeError(f"unexpected reply {line!r}")

    def info(self):
        """INFO cpu, stats and commandstats as one dictionary (commandstats: {name: calls})."""
        values, commands = {}, {}
        for section in ("cpu", "stats", "commandstats"):
            for line in self.call("INFO", section).splitlines():
                if ":" not in line or line.startswith("#"):
                    continue
                key, value = line.split(":", 1)
                if key.startswith("cmdstat_"):
                    fields = dict(item.split("=") for item in value.split(","))
                    commands[key[len("cmdstat_"):]] = int(fields["calls"])
                else:
                    values[key] = value
        values["commands"] = commands
        return values

    def close(self):
        self.sock.close()


class Monitor:
    """MONITOR on a connection of its own, its lines collected by a thread until stop()."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", int(port)))
        self.sock.sendall(b"*1\r\n$7\r\nMONITOR\r\n")
        self.reader = self.sock.makefile("rb")
        if self.reader.readline().strip() != b"+OK":
            raise RuntimeError("MONITOR refused")
        self.lines = []
        self.thread = threading.Thread(target=self._collect, daemon=True)
        self.thread.start()

    def _collect(self):
        try:
            for line in self.reader:
                self.lines.append(line.decode(errors="replace").rstrip("\r\n"))
        except (OSError, ValueError):
            pass

    def stop(self):
        time.sleep(0.3)  # what Redis has sent is read
        self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self.thread.join(timeout=5)
        return self.lines


def reading_overhead(redis):
    """The bytes one INFO reading itself adds (its replies are several KB), from two readings in a row."""
    first, second = redis.info(), redis.info()
    return {"input_bytes": int(second["total_net_input_bytes"]) - int(first["total_net_input_bytes"]),
            "output_bytes": int(second["total_net_output_bytes"]) - int(first["total_net_output_bytes"])}


def delta(before, after, own, overhead=None):
    """The commands, CPU and bytes between two INFO readings, less this section's own commands
    (and, given `overhead`, less the bytes of the readings themselves)."""
    commands = {}
    for name, calls in after["commands"].items():
        if name == "info":
            continue  # the readings' own
        count = calls - before["commands"].get(name, 0) - own.get(name, 0)
        if count > 0:
            commands[name] = count
    cpu = sum(float(after[key]) - float(before[key]) for key in ("used_cpu_sys", "used_cpu_user"))
    return {
        "commands": commands,
        "cpu_seconds": cpu,
        "input_bytes": int(after["total_net_input_bytes"]) - int(before["total_net_input_bytes"])
        - (overhead or {}).get("input_bytes", 0),
        "output_bytes": int(after["total_net_output_bytes"]) - int(before["total_net_output_bytes"])
        - (overhead or {}).get("output_bytes", 0),
    }


def drained(redis, prefix):
    stream = f"{prefix}{{default}}:stream"
    if int(redis.call("XLEN", stream) or 0) != 0:
        return False
    pending = redis.call("XPENDING", stream, "otto-workers")
    return not pending or int(pending[0]) == 0


def delete_keys(redis, prefix):
    redis.call("EVAL", "for _,k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end", "0",
               prefix + "*")


def worker_env(redis_url, database_url, prefix):
    return {"PATH": "/usr/bin:/bin", "REDIS_URL": redis_url, "DATABASE_URL": database_url, "ENABLE_CELERY": "true",
            "REDIS_KEY_PREFIX": prefix, "APP_ENV": "development", "LOG_FORMAT": "json", "LOG_LEVEL": "info"}


def start_workers(bin_dir, env, count, redis, prefix):
    workers = [subprocess.Popen([os.path.join(bin_dir, "otto-worker")], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL) for _ in range(count)]
    deadline = time.monotonic() + 60
    while int(redis.call("ZCARD", f"{prefix}workers") or 0) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"{count} workers did not all heartbeat in 60 s")
        time.sleep(0.05)
    time.sleep(0.5)  # let each finish its start-up commands
    return workers


def cpu_seconds(processes):
    """User + system CPU seconds the processes have used so far (/proc/<pid>/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for process in processes:
        with open(f"/proc/{process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def stop_workers(workers):
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def one_pass(bin_dir, database_url, redis_url, redis, workers_count, tasks):
    prefix = f"otto-scale-{int(time.time())}-{workers_count}:"
    env = worker_env(redis_url, database_url, prefix)
    workers = start_workers(bin_dir, env, workers_count, redis, prefix)
    overhead = reading_overhead(redis)
    try:
        redis.sent.clear()
        before = redis.info()
        workers_cpu = cpu_seconds(workers)
        began = time.monotonic()
        producer = subprocess.Popen([os.path.join(bin_dir, "otto-worker"), "enqueue", "otto.ping", "--count",
                                     str(tasks), "--json"], env=env, stdout=subprocess.DEVNULL)
        while producer.poll() is None or not drained(redis, prefix):
            if time.monotonic() - began > 600:
                raise SystemExit(f"{tasks} tasks did not drain through {workers_count} workers in 600 s")
            time.sleep(POLL_SECONDS)
        done = time.monotonic()
        workers_cpu = cpu_seconds(workers) - workers_cpu
        own = dict(redis.sent)
        after = redis.info()
        if producer.returncode != 0:
            raise SystemExit("otto-worker enqueue failed")
    finally:
        stop_workers(workers)
        delete_keys(redis, prefix)
    seconds = done - began
    change = delta(before, after, own, overhead)
    total = sum(change["commands"].values())
    cpu_us_per_task = change["cpu_seconds"] / tasks * 1e6
    return {
        "workers": workers_count,
        "tasks": tasks,
        "seconds": round(seconds, 3),
        "end_to_end_per_s": round(tasks / seconds),
        "redis_cpu_percent_of_one_core": round(change["cpu_seconds"] / seconds * 100, 1),
        # The workers' own CPU (user + system), all of them: what a task costs a worker's core.
        "worker_cpu_us_per_task": round(workers_cpu / tasks * 1e6, 1),
        "redis_cpu_us_per_task": round(cpu_us_per_task, 2),
        # Reasoned, not measured: the rate at which Redis' one core would be busy all the time.
        "redis_core_saturates_at_tasks_per_s": round(1e6 / cpu_us_per_task) if cpu_us_per_task else None,
        "redis_commands_per_task": round(total / tasks, 3),
        "redis_commands_per_task_by_name": {name: round(count / tasks, 3) for name, count in
                                            sorted(change["commands"].items(), key=lambda item: -item[1])},
        "redis_input_bytes_per_task": round(change["input_bytes"] / tasks, 1),
        "redis_output_bytes_per_task": round(change["output_bytes"] / tasks, 1),
    }


def monitor_pass(bin_dir, database_url, redis_url, redis_port, redis, tasks):
    """Commands per task as a client sends them (one EVALSHA is one) and as scripts run them."""
    prefix = f"otto-scale-monitor-{int(time.time())}:"
    env = worker_env(redis_url, database_url, prefix)
    workers = start_workers(bin_dir, env, 1, redis, prefix)
    redis.sent.clear()
    monitor = Monitor(redis_port)
    try:
        subprocess.run([os.path.join(bin_dir, "otto-worker"), "enqueue", "otto.ping", "--count", str(tasks), "--json"],
                       env=env, stdout=subprocess.DEVNULL, check=True)
        began = time.monotonic()
        while not drained(redis, prefix):
            if time.monotonic() - began > 600:
                raise SystemExit("the MONITOR pass did not drain in 600 s")
            time.sleep(POLL_SECONDS)
    finally:
        stop_workers(workers)
        lines = monitor.stop()
        delete_keys(redis, prefix)
    client, scripted = {}, {}
    for line in lines:
        # +1700000000.123456 [0 127.0.0.1:40000] "XADD" ...   or   ... [0 lua] "XACK" ...
        if "] \"" not in line:
            continue
        where, command = line.split("] \"", 1)
        name = command.split("\"", 1)[0].lower()
        target = scripted if where.endswith(" lua") else client
        target[name] = target.get(name, 0) + 1
    # This section's own polls (and the EVAL that deletes the keys, sent after MONITOR stopped).
    for name, count in redis.sent.items():
        if name in client:
            client[name] = max(0, client[name] - count)
    redis.sent.clear()
    return {
        "tasks": tasks,
        "client_commands_per_task": round(sum(client.values()) / tasks, 3),
        "client_commands_per_task_by_name": {n: round(c / tasks, 3) for n, c in
                                             sorted(client.items(), key=lambda item: -item[1]) if c},
        "script_commands_per_task": round(sum(scripted.values()) / tasks, 3),
        "script_commands_per_task_by_name": {n: round(c / tasks, 3) for n, c in
                                             sorted(scripted.items(), key=lambda item: -item[1]) if c},
    }


def trickle_pass(bin_dir, database_url, redis_url, redis_port, redis, tasks, rate):
    """Commands and bytes per task at a low rate (scripts/bench_producer.py), where no batch forms:
    what a task costs at the call volumes of a real deployment, idle polling included."""
    prefix = f"otto-scale-trickle-{int(time.time())}:"
    env = worker_env(redis_url, database_url, prefix)
    workers = start_workers(bin_dir, env, 1, redis, prefix)
    overhead = reading_overhead(redis)
    try:
        redis.sent.clear()
        before = redis.info()
        began = time.monotonic()
        producer = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_producer.py")
        subprocess.run([sys.executable, producer, str(redis_port), prefix, str(tasks), str(rate)], check=True)
        while not drained(redis, prefix):
            time.sleep(POLL_SECONDS)
        seconds = time.monotonic() - began
        own = dict(redis.sent)
        after = redis.info()
    finally:
        stop_workers(workers)
        delete_keys(redis, prefix)
    change = delta(before, after, own, overhead)
    return {
        "tasks": tasks, "rate_per_s": rate, "seconds": round(seconds, 2),
        "redis_commands_per_task": round(sum(change["commands"].values()) / tasks, 3),
        "redis_commands_per_task_by_name": {name: round(count / tasks, 3) for name, count in
                                            sorted(change["commands"].items(), key=lambda item: -item[1])},
        "redis_input_bytes_per_task": round(change["input_bytes"] / tasks, 1),
        "redis_output_bytes_per_task": round(change["output_bytes"] / tasks, 1),
    }


def run(results, bin_dir, database_url, redis_url, redis_port):
    """Fills results["scale"]: one entry per worker count, the MONITOR split, and where the rate stops growing."""
    tasks = int(os.environ.get("BENCH_QUEUE_TASKS", "20000"))
    redis = Redis(redis_port)
    scale = {"passes": [], "cores": os.cpu_count()}
    try:
        for count in WORKER_COUNTS:
            log(f"scale: {tasks} otto.ping through {count} worker(s), producer running")
            scale["passes"].append(one_pass(bin_dir, database_url, redis_url, redis, count, tasks))
        log(f"scale: {MONITOR_TASKS} otto.ping through one worker under MONITOR (client vs script commands)")
        scale["monitor"] = monitor_pass(bin_dir, database_url, redis_url, redis_port, redis, MONITOR_TASKS)
        log(f"scale: {TRICKLE_TASKS} otto.ping at {TRICKLE_RATE}/s through one worker (no batching)")
        scale["trickle"] = trickle_pass(bin_dir, database_url, redis_url, redis_port, redis, TRICKLE_TASKS,
                                        TRICKLE_RATE)
    finally:
        redis.close()
    best = scale["passes"][0]
    for entry in scale["passes"][1:]:
        if entry["end_to_end_per_s"] > best["end_to_end_per_s"] * 1.1:
            best = entry
    scale["rate_stops_growing_at_workers"] = best["workers"]
    scale["load_average"] = [round(value, 2) for value in os.getloadavg()]
    results["scale"] = scale


def rows(results):
    """Rows for bench.py's table()."""
    scale = results.get("scale")
    if not scale:
        return []
    out = []
    for entry in scale["passes"]:
        out.append((f'scale: {entry["workers"]} worker(s) end-to-end tasks/s', entry["end_to_end_per_s"],
                    f'Redis CPU {entry["redis_cpu_percent_of_one_core"]}% of a core '
                    f'({entry["redis_cpu_us_per_task"]} us/task: one core at ~{entry["redis_core_saturates_at_tasks_per_s"]}/s); '
                    f'workers {entry["worker_cpu_us_per_task"]} us CPU/task; '
                    f'{entry["redis_commands_per_task"]} commands (scripts\' included), '
                    f'{entry["redis_input_bytes_per_task"]} B in / {entry["redis_output_bytes_per_task"]} B out per task'))
    out.append(("scale: rate stops growing at workers", scale["rate_stops_growing_at_workers"],
                f'{scale["cores"]} cores shared by Redis, workers and the producer'))
    monitor = scale.get("monitor")
    if monitor:
        top = ", ".join(f"{n} {c}" for n, c in list(monitor["client_commands_per_task_by_name"].items())[:5])
        out.append(("scale: client commands per task (billed)", monitor["client_commands_per_task"],
                    f'{top}; scripts run {monitor["script_commands_per_task"]} more'))
    trickle = scale.get("trickle")
    if trickle:
        out.append((f'scale: commands per task at {trickle["rate_per_s"]}/s', trickle["redis_commands_per_task"],
                    'no batching: ' + ", ".join(f"{n} {c}" for n, c in
                                                list(trickle["redis_commands_per_task_by_name"].items())[:4]) + '; '
                    f'{trickle["redis_input_bytes_per_task"]} B in / {trickle["redis_output_bytes_per_task"]} B out'))
    return out
