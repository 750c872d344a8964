#!/usr/bin/env python3
"""Schemathesis against a real otto-api's /openapi.json (run by scripts/schemathesis.sh).

Starts otto-api and an otto-worker from OTTO_BIN_DIR (ENABLE_CELERY=true, the development
database and Redis of scripts/services.sh) with the API on a free port, CLERK_JWT_KEY set to the
public half of an RSA key pair made here for this run (never a fixture), and the webhook secrets
set, so every route answers as in production. Mints an RS256 Clerk-shaped session token with the
private half, stores a few signed webhooks so the tenant API returns real calls, then runs
schemathesis with every check that applies.

Passes when schemathesis reports no failure (no 5xx, every status, content type, header and body
as the document says) and otto-api is still alive and exits 0 on SIGTERM.

  SCHEMATHESIS_EXAMPLES   examples per operation and phase (default 40; `make fuzz` uses more)
  SCHEMATHESIS_SEED       the run's seed (default fixed, so `make test` is repeatable)
"""

import base64
import hashlib
import hmac
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("OTTO_BIN_DIR", os.path.join(ROOT, ".build", "debug"))
VENV_BIN = os.path.dirname(os.path.abspath(sys.executable))
TWILIO_TOKEN = "0123456789abcdef0123456789abcdef"
TWILIO_ACCOUNT = "AC" + "0123456789abcdef" * 2
CALLRAIL_KEY = "schemathesis-callrail-signing-key"
CLERK_HOST = "schemathesis.clerk.accounts.dev"

# Checks that do not apply to this API, and why.
EXCLUDED_CHECKS = {
    # Both assume that data the schema allows is accepted: a random UUID names no call, so GET
    # /v1/calls/{id} is a documented 404, and webhooks with random bodies fail their signature
    # (a documented 403).
    "positive_data_acceptance": "random ids and unsigned webhooks are refused as documented",
}


def free_port():
    """A free port below Linux's ephemeral range (32768-60999), so no client socket takes it first."""
    while True:
        port = random.randrange(20000, 32000)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def request(method, url, headers=None, body=None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def twilio_signature(url, params):
    data = url + "".join(key + value for key, value in sorted(params))
    digest = hmac.new(TWILIO_TOKEN.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def main():
    examples = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "40"))
    seed = int(os.environ.get("SCHEMATHESIS_SEED", "20260131"))
    database = os.environ["DATABASE_URL"]
    redis = os.environ["REDIS_URL"]

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    publishable = "pk_test_" + base64.b64encode((CLERK_HOST + "$").encode()).decode().rstrip("=")
    environment = {
        "PATH": "/usr/bin:/bin",
        "APP_ENV": "test",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": database,
        "REDIS_URL": redis,
        "REDIS_KEY_PREFIX": f"otto-schemathesis-{uuid.uuid4().hex[:8]}:",
        "ENABLE_CELERY": "true",
        "CLERK_JWT_KEY": public_pem,
        "CLERK_PUBLISHABLE_KEY": publishable,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT,
        "CALLRAIL_SIGNING_KEY": CALLRAIL_KEY,
        "PUBLIC_BASE_URL": base,
        # The run sends thousands of requests with one token; the limit's own refusals are tested
        # elsewhere, and a 429 here would hide what the request itself would have answered.
        "RATE_LIMIT_API": "1000000/1m",
        "RATE_LIMIT_WEBHOOKS": "1000000/1m",
        "LOG_LEVEL": "warning",
    }
    migrate = subprocess.run(
        [os.path.join(BIN, "otto-api"), "migrate"], env=environment, capture_output=True, text=True
    )
    if migrate.returncode != 0:
        print(f"FAIL: otto-api migrate exited {migrate.returncode}: {migrate.stderr}")
        return 1

    log = tempfile.NamedTemporaryFile(prefix="otto-schemathesis-", suffix=".log", delete=False)
    worker = subprocess.Popen(
        [os.path.join(BIN, "otto-worker")], env=environment, stdout=log, stderr=subprocess.STDOUT
    )
    api = subprocess.Popen([os.path.join(BIN, "otto-api")], env=environment, stdout=log, stderr=subprocess.STDOUT)
    status = 1
    try:
        status = run(api, worker, base, key, log.name, examples, seed)
    finally:
        for name, process in [("otto-api", api), ("otto-worker", worker)]:
            if process.poll() is not None:
                continue
            process.send_signal(signal.SIGTERM)
            try:
                code = process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                code = "killed after 30 s"
            if code != 0:
                print(f"FAIL: {name} did not exit 0 on SIGTERM ({code}); log {log.name}")
                status = 1
    return status


def run(api, worker, base, key, log, examples, seed):
    """Waits for both processes, seeds calls, runs schemathesis; returns the exit status."""
    deadline = time.time() + 60
    while True:
        try:
            if request("GET", base + "/health")[0] == 200:
                break
        except OSError:
            pass
        if api.poll() is not None or time.time() > deadline:
            print(f"FAIL: otto-api did not answer /health (log {log})")
            return 1
        time.sleep(0.2)
    # The worker's heartbeat, so /internal/worker/heartbeat and /ready answer 200 as documented.
    while request("GET", base + "/internal/worker/heartbeat")[0] != 200:
        if worker.poll() is not None or time.time() > deadline:
            print(f"FAIL: otto-worker never reported a heartbeat (log {log})")
            return 1
        time.sleep(0.2)

    now = int(time.time())
    organisation = f"org_schemathesis_{uuid.uuid4().hex[:12]}"
    claims = {
        "sub": "user_schemathesis",
        "o": {"id": organisation, "rol": "admin", "slg": "schemathesis"},
        "v": 2,
        "iat": now,
        "nbf": now - 5,
        "exp": now + 3600,
        "iss": "https://" + CLERK_HOST,
        "sid": "sess_schemathesis",
    }
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "ins_schemathesis"})
    status, body = request("GET", base + "/v1/me", {"Authorization": f"Bearer {token}"})
    if status != 200:
        print(f"FAIL: the minted token was refused: {status} {body[:300]!r}")
        return 1
    tenant = json.loads(body)["tenant_id"]

    # Real calls for the tenant API to return: signed Twilio status callbacks.
    for index, call_status in enumerate(["ringing", "in-progress", "completed"]):
        path = f"/webhooks/twilio/{tenant}"
        params = [
            ("AccountSid", TWILIO_ACCOUNT),
            ("CallSid", f"CA{uuid.uuid4().hex}"),
            ("CallStatus", call_status),
            ("Direction", "inbound"),
            ("From", "+15551234567"),
            ("To", "+15557654321"),
            ("CallDuration", str(30 * index)),
            ("Timestamp", time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(now - 60 * index))),
        ]
        status, body = request(
            "POST",
            base + path,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": twilio_signature(base + path, params),
            },
            urllib.parse.urlencode(params).encode(),
        )
        if status != 200:
            print(f"FAIL: a signed webhook was refused: {status} {body[:300]!r}")
            return 1

    report = os.path.join(ROOT, ".local", "schemathesis")
    os.makedirs(report, exist_ok=True)
    command = [
        os.path.join(VENV_BIN, "schemathesis"),
        "run",
        base + "/openapi.json",
        "--url",
        base,
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        "all",
        "--exclude-checks",
        ",".join(sorted(EXCLUDED_CHECKS)),
        "--max-examples",
        str(examples),
        "--seed",
        str(seed),
        "--workers",
        os.environ.get("SCHEMATHESIS_WORKERS", "1"),
        "--request-timeout",
        "10",
        "--suppress-health-check",
        "all",
        "--no-color",
        "--report",
        "junit",
        "--report-dir",
        report,
    ]
    started = time.time()
    result = subprocess.run(command, env={**os.environ, "SCHEMATHESIS_HOOKS": ""})
    elapsed = time.time() - started
    alive = api.poll() is None and worker.poll() is None
    print(f"schemathesis: exit {result.returncode} in {elapsed:.0f} s; otto-api and otto-worker alive: {alive}")
    if not alive:
        print(f"FAIL: a process died during the run (api {api.returncode}, worker {worker.returncode}); log {log}")
        return 1
    if result.returncode != 0:
        print(f"FAIL: schemathesis found failures (report under {report}, process log {log})")
        return 1
    print("PASS: schemathesis found no failure")
    return 0


if __name__ == "__main__":
    sys.exit(main())
