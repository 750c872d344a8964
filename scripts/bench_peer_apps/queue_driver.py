"""The producer side of the queue peers (run by scripts/bench_peers.py in .bench/venv).

usage: queue_driver.py celery|arq enqueue COUNT     one producer, one task after another
       queue_driver.py celery|arq roundtrip COUNT   enqueue one task, wait for its result, repeat

Prints one JSON document: for enqueue the wall-clock (time.time()) of the first and last send,
for roundtrip each round trip in milliseconds. Uses each library's ordinary client call
(`task.delay()` and `AsyncResult.get()`; `ArqRedis.enqueue_job` and `Job.result`).
"""

import asyncio
import json
import sys
import time


def celery(mode, count):
    from celery_app import noop, noop_result

    if mode == "enqueue":
        noop.delay()  # the connection opens here, outside the timed loop
        first = time.time()
        for _ in range(count - 1):
            noop.delay()
        return {"first_send": first, "last_send": time.time(), "count": count}
    for _ in range(5):
        noop_result.delay().get(timeout=30)
    samples = []
    for _ in range(count):
        began = time.perf_counter()
        noop_result.delay().get(timeout=30)
        samples.append((time.perf_counter() - began) * 1000)
    return {"ms": samples}


async def arq(mode, count):
    from arq import create_pool

    from arq_app import SETTINGS

    pool = await create_pool(SETTINGS)
    try:
        if mode == "enqueue":
            await pool.enqueue_job("noop")
            first = time.time()
            for _ in range(count - 1):
                await pool.enqueue_job("noop")
            return {"first_send": first, "last_send": time.time(), "count": count}
        samples = []
        for index in range(count + 2):
            began = time.perf_counter()
            job = await pool.enqueue_job("noop")
            # The caller's poll interval: 1 ms, so the figure is the worker's, not the caller's.
            await job.result(timeout=30, poll_delay=0.001)
            if index >= 2:
                samples.append((time.perf_counter() - began) * 1000)
        return {"ms": samples}
    finally:
        await pool.aclose()


def main():
    system, mode, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if system == "celery":
        output = celery(mode, count)
    else:
        output = asyncio.run(arq(mode, count))
    print(json.dumps(output))


if __name__ == "__main__":
    main()
