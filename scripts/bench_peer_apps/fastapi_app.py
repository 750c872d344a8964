"""The FastAPI peer of `make bench` (scripts/bench_peers.py): /health and /ready like Otto's.

Run by uvicorn with 2 workers. /health answers static JSON and touches nothing; /ready checks
PostgreSQL (SELECT 1 on an asyncpg pool) and Redis (PING on redis.asyncio) concurrently, each
within a second, as Otto's /ready does. Environment: DATABASE_URL, PEER_REDIS_PORT.
"""

import asyncio
import contextlib
import os
import time

import asyncpg
import redis.asyncio as aioredis
from fastapi import FastAPI
from fastapi.responses import JSONResponse

state = {}


@contextlib.asynccontextmanager
async def lifespan(app):
    state["pool"] = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=2, max_size=10)
    state["redis"] = aioredis.Redis(port=int(os.environ["PEER_REDIS_PORT"]))
    yield
    await state["pool"].close()
    await state["redis"].aclose()


app = FastAPI(lifespan=lifespan)


@app.get("/health")
async def health():
    return {"status": "healthy", "timestamp": int(time.time()), "service": "fastapi-peer"}


async def database_ready():
    async with state["pool"].acquire() as connection:
        return await connection.fetchval("SELECT 1") == 1


async def redis_ready():
    return await state["redis"].ping()


@app.get("/ready")
async def ready():
    began = time.perf_counter()
    checks = await asyncio.gather(
        asyncio.wait_for(database_ready(), 1.0), asyncio.wait_for(redis_ready(), 1.0), return_exceptions=True)
    components = {"database": checks[0] is True, "redis": checks[1] is True}
    body = {"ready": all(components.values()), "components": components, "timestamp": int(time.time()),
            "duration_ms": round((time.perf_counter() - began) * 1000, 3), "service": "fastapi-peer"}
    return JSONResponse(body, status_code=200 if body["ready"] else 503)
