#!/usr/bin/env python3
"""Low-rate producer for the enqueue-to-start latency figure of `make bench`.

usage: bench_producer.py REDIS_PORT KEY_PREFIX COUNT RATE_PER_S

Writes otto.ping envelopes (the same JSON shape as OttoCore's TaskEnvelope) to the default
queue's stream at a steady rate over one connection, so the worker's `wait_ms` (start minus
due time) measures the queue's latency, not the producer's.
"""

import json
import socket
import sys
import time
import uuid


def command(*parts):
    out = [f"*{len(parts)}\r\n".encode()]
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        out.append(f"${len(data)}\r\n".encode() + data + b"\r\n")
    return b"".join(out)


def main():
    port, prefix, count, rate = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    stream = f"{prefix}{{default}}:stream"
    sock = socket.create_connection(("127.0.0.1", port))
    reader = sock.makefile("rb")
    interval = 1.0 / rate
    next_at = time.monotonic()
    for _ in range(count):
        now = time.time()
        envelope = {
            "id": str(uuid.uuid4()), "name": "otto.ping", "args": "{}", "queue": "default", "attempt": 1,
            "max_attempts": 5, "enqueued_at": round(now, 6), "due_at": round(now, 6), "time_limit": 300,
        }
        sock.sendall(command("XADD", stream, "*", "t", json.dumps(envelope)))
        reader.readline()
        next_at += interval
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)


if __name__ == "__main__":
    main()
