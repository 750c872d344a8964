"""The arq peer of `make bench` (scripts/bench_peers.py): arq on Redis, an asyncio worker.

Arq's defaults throughout (one process, max_jobs 10, poll_delay 0.5 s, results kept an hour), on
a Redis database of its own. Environment: PEER_REDIS_PORT, PEER_ARQ_DB.
"""

import os

from arq.connections import RedisSettings

PORT = int(os.environ["PEER_REDIS_PORT"])
DB = int(os.environ.get("PEER_ARQ_DB", "3"))
COUNTER = "peers:arq:done"
SETTINGS = RedisSettings(host="127.0.0.1", port=PORT, database=DB)


async def noop(ctx):
    """The no-op task: one Redis INCR on the worker's own connection."""
    await ctx["redis"].incr(COUNTER)
    return "pong"


class WorkerSettings:
    functions = [noop]
    redis_settings = SETTINGS
