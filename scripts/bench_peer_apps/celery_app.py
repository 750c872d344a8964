"""The Celery peer of `make bench` (scripts/bench_peers.py): Celery 5.x, Redis as broker.

Configured as its operators run it: the broker on a Redis database of its own (Otto's keys are
untouched), a Redis result backend for the round trip, every other setting at Celery's default
(prefork pool, concurrency given on the command line as 2, prefetch multiplier 4, early acks).
Environment: PEER_REDIS_PORT, PEER_BROKER_DB, PEER_RESULT_DB.
"""

import os

import redis
from celery import Celery

PORT = int(os.environ["PEER_REDIS_PORT"])
BROKER_DB = int(os.environ.get("PEER_BROKER_DB", "1"))
RESULT_DB = int(os.environ.get("PEER_RESULT_DB", "2"))
COUNTER = "peers:celery:done"

app = Celery("peers", broker=f"redis://127.0.0.1:{PORT}/{BROKER_DB}", backend=f"redis://127.0.0.1:{PORT}/{RESULT_DB}")

_client = None


def client():
    """One connection per pool process, opened after the fork."""
    global _client
    if _client is None:
        _client = redis.Redis(port=PORT, db=BROKER_DB)
    return _client


@app.task(name="peers.noop", ignore_result=True)
def noop():
    """The no-op task: one Redis INCR, no result stored."""
    client().incr(COUNTER)


@app.task(name="peers.noop_result")
def noop_result():
    """The round trip's task: the same INCR, its result stored for the caller's get()."""
    client().incr(COUNTER)
    return "pong"
