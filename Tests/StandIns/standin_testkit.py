"""Helpers the stand-ins' own tests share: a server on a free port, HTTP calls, the control API."""

from __future__ import annotations

import base64
import http.client
import json
import random
import socket
import time
import unittest

from standin import app

DG_KEY = "standin-deepgram-key"
OA_KEY = "sk-standin-openai-key"
CR_KEY = "standin-callrail-key"
ACCOUNT = "AC" + "0" * 32
TOKEN = "f" * 32


def free_port() -> int:
    """A free port below Linux's ephemeral range (32768-60999), as scripts/chaos.py picks them."""
    while True:
        port = random.randrange(20000, 32000)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


class StandInCase(unittest.TestCase):
    """A stand-in server per test class, reset (log, faults, media, config) before each test."""

    server = None

    @classmethod
    def setUpClass(cls):
        cls.server = app.build("127.0.0.1", free_port())
        cls.port = cls.server.server_address[1]
        cls.thread = cls.server.serve_in_thread()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.thread.join(timeout=5)

    def setUp(self):
        self.server.state.reset(media=True, config=True)
        self.server.state.stopping.clear()
        for provider in self.server.state.latency:
            self.server.state.latency[provider] = 0.0

    # ------------------------------------------------------------------ HTTP

    def call(self, method: str, path: str, body: bytes | str | dict | None = None, headers: dict | None = None, timeout: float = 30.0) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            hdrs = dict(headers or {})
            if isinstance(body, dict):
                body = json.dumps(body)
                hdrs.setdefault("Content-Type", "application/json")
            if isinstance(body, str):
                body = body.encode()
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            return Response(resp.status, resp.headers, resp.read())
        finally:
            conn.close()

    def control(self, method: str, path: str, body: dict | None = None) -> dict:
        resp = self.call(method, "/_standin/" + path, body if body is not None else ({} if method == "POST" else None))
        self.assertLess(resp.status, 300, resp.body)
        return resp.json()

    def fault(self, **spec) -> dict:
        return self.control("POST", "faults", spec)["faults"][0]

    def requests(self, **query) -> list[dict]:
        qs = "&".join(f"{k}={v}" for k, v in query.items())
        return self.control("GET", "requests" + (f"?{qs}" if qs else ""))["requests"]

    def last(self, provider: str | None = None) -> dict:
        entries = self.requests(provider=provider) if provider else self.requests()
        self.assertTrue(entries, "no request was logged")
        return entries[-1]

    def violations(self) -> list[dict]:
        return self.control("GET", "violations")["violations"]

    def assert_violation(self, source: str, needle: str) -> dict:
        """The last logged request broke a rule of `source` whose detail mentions `needle`."""
        entry = self.last()
        self.assertEqual(entry["verdict"], "violation", entry)
        hits = [v for v in entry["violations"] if v["source"] == source and needle in v["detail"]]
        self.assertTrue(hits, f"no {source} violation mentioning {needle!r} in {entry['violations']}")
        self.assertIn(entry["id"], [v["id"] for v in self.violations()])
        return entry

    def assert_clean(self) -> dict:
        entry = self.last()
        self.assertEqual(entry["violations"], [], entry)
        return entry

    def wait_for(self, predicate, timeout: float = 30.0, what: str = "condition"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.02)
        self.fail(f"timed out waiting for {what}")
