"""The HTTP plumbing every stand-in shares: one ThreadingHTTPServer, keep-alive HTTP/1.1,
request bodies by Content-Length or chunked transfer coding (a client that streams audio to
Deepgram sends chunks), the request log entry of each request, and the gate that applies
outages, rate caps and programmed faults after a request passed its contract checks."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator
from urllib.parse import parse_qs, urlsplit

from .state import State, mask, mask_authorization

_SECRET_HEADER = re.compile(r"authorization|cookie|key|token|secret|signature", re.I)
DRAIN_LIMIT = 256 * 1024 * 1024


@dataclass
class Reply:
    status: int
    body: bytes = b""
    content_type: str | None = "application/json"
    headers: list[tuple[str, str]] = field(default_factory=list)
    stream: tuple[int, Iterator[bytes]] | None = None  # (length, chunks) instead of body
    disconnect: bool = False  # close the socket without answering
    cut_after: int | None = None  # send headers and this many body bytes, then close


def json_reply(status: int, payload: Any, headers: list[tuple[str, str]] | None = None, content_type: str = "application/json") -> Reply:
    return Reply(status, json.dumps(payload).encode(), content_type, headers or [])


class Request:
    """One request as a provider handler sees it."""

    def __init__(self, handler: "Handler", provider: str, match: re.Match | None):
        self.handler = handler
        self.state: State = handler.server.state
        self.method = handler.command
        split = urlsplit(handler.path)
        self.path = split.path
        self.raw_query = split.query
        self.query = parse_qs(split.query, keep_blank_values=True)
        self.headers = handler.headers
        self.provider = provider
        self.match = match
        self.fault = None
        self.cap_refused: float | None = None
        self.body_consumed = False
        self.close_after = False  # part of the body is left unread: close after answering
        self.body_bytes = 0
        host = self.headers.get("Host") or f"127.0.0.1:{handler.server.server_address[1]}"
        self.base_url = f"http://{host}"
        entry = {
            "time": time.time(),
                "provider": provider,
            "method": self.method,
            "path": self.path,
            "query": {k: v if len(v) > 1 else v[0] for k, v in self.query.items()},
            "headers": self.logged_headers(),
            "violations": [],
        }
        # Control requests stay out of the log: it records what the providers were sent.
        self.entry = entry if provider == "control" else self.state.new_entry(entry)

    # -------------------------------------------------------------- headers and checks

    def logged_headers(self) -> dict:
        out = {}
        for name, value in self.headers.items():
            lower = name.lower()
            if lower in ("authorization", "proxy-authorization"):
                out[lower] = mask_authorization(value)
            elif _SECRET_HEADER.search(lower):
                out[lower] = mask(value)
            else:
                out[lower] = value
        return out

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def violation(self, rule: str, detail: str, source: str = "provider") -> None:
        """Record a broken rule. `source` says whose rule it is: "provider" (the real API
        refuses it too), "otto" (issue 13's contract for Otto's client; the real API might
        accept it) or "standin" (outside what the stand-in implements)."""
        self.entry["violations"].append({"rule": rule, "source": source, "detail": detail})

    def note(self, **fields: Any) -> None:
        self.entry.update(fields)

    # -------------------------------------------------------------- bodies

    def content_length(self) -> int | None:
        value = self.headers.get("Content-Length")
        if value is None:
            return None
        try:
            length = int(value)
        except ValueError:
            return None
        return length if length >= 0 else None

    def is_chunked(self) -> bool:
        return "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()

    def iter_body(self, chunk: int = 262144) -> Iterator[bytes]:
        """The request body as it arrives (Content-Length or chunked)."""
        self.body_consumed = True
        rfile = self.handler.rfile
        if self.is_chunked():
            while True:
                line = rfile.readline(65537)
                if not line:
                    raise ConnectionError("connection closed inside a chunked body")
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while True:  # trailers
                        trailer = rfile.readline(65537)
                        if trailer in (b"\r\n", b"\n", b""):
                            return
                left = size
                while left:
                    data = rfile.read(min(chunk, left))
                    if not data:
                        raise ConnectionError("connection closed inside a chunk")
                    left -= len(data)
                    self.body_bytes += len(data)
                    yield data
                rfile.readline(3)
        else:
            left = self.content_length() or 0
            while left:
                data = rfile.read(min(chunk, left))
                if not data:
                    raise ConnectionError("connection closed before the declared Content-Length")
                left -= len(data)
                self.body_bytes += len(data)
                yield data

    def read_body(self, limit: int = 64 * 1024 * 1024) -> bytes:
        parts = []
        size = 0
        for data in self.iter_body():
            size += len(data)
            if size > limit:
                raise ValueError(f"body larger than {limit} bytes")
            parts.append(data)
        return b"".join(parts)

    # -------------------------------------------------------------- the gate

    def gate(self, errors: "ErrorBuilder") -> Reply | None:
        """After the contract checks: an outage, a rate cap or a programmed fault, or None.

        Answer-shaping faults (slow, refusal, length, ...) are left in `self.fault` for the
        provider handler; `slow` waits here and lets the normal answer follow.
        """
        if self.state.in_outage(self.provider):
            self.note(fault="outage")
            return errors(503, "outage", None)
        if self.cap_refused is not None:
            self.note(verdict="rate_limited")
            return errors(429, "rate_limited", self.cap_refused)
        fault = self.state.take_fault(self.provider)
        if fault is None:
            return None
        self.note(fault=fault.kind, fault_id=fault.id)
        params = fault.params
        if fault.kind == "status":
            return errors(int(params["status"]), params.get("code") or "status", params.get("retry_after"))
        if fault.kind == "unauthorized":
            return errors(401, "unauthorized", None)
        if fault.kind == "disconnect":
            after = params.get("after_bytes")
            if after is None:
                return Reply(0, disconnect=True)
            self.fault = fault
            return None
        if fault.kind == "slow":
            with self.state.lock:
                release = self.state.release
            deadline = time.monotonic() + float(params["seconds"])
            while not (release.is_set() or self.state.stopping.is_set()) and time.monotonic() < deadline:
                release.wait(min(0.1, max(0.0, deadline - time.monotonic())))
            self.fault = None
            return None
        self.fault = fault  # malformed and the OpenAI answer faults
        return None

    def answer(self, reply: Reply) -> Reply:
        """The normal answer with an answer-shaping fault applied: `disconnect` cuts it after
        the headers and some bytes; `malformed` (where the route has no malformed answer of its
        own) cuts a JSON body in half, so it no longer parses."""
        if self.fault is not None and self.fault.kind == "disconnect":
            reply.cut_after = int(self.fault.params.get("after_bytes") or 0)
        elif self.fault is not None and self.fault.kind == "malformed" and reply.stream is None and (reply.content_type or "").startswith("application/json"):
            reply.body = reply.body[: max(1, len(reply.body) // 2)]
        return reply

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.state.stopping.wait(seconds)

    def latency(self) -> None:
        self.sleep(self.state.latency.get(self.provider, 0.0))


ErrorBuilder = Callable[[int, str, Any], Reply]


class Router:
    def __init__(self):
        self.routes: list[tuple[re.Pattern, str, Callable[[Request], Reply]]] = []

    def add(self, pattern: str, provider: str, fn: Callable[[Request], Reply]) -> None:
        self.routes.append((re.compile(pattern), provider, fn))

    def find(self, path: str):
        for pattern, provider, fn in self.routes:
            m = pattern.fullmatch(path)
            if m:
                return provider, fn, m
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "otto-standin"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - BaseHTTPRequestHandler's name
        return

    def do_GET(self) -> None:
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def dispatch(self) -> None:
        server: StandInServer = self.server  # type: ignore[assignment]
        path = urlsplit(self.path).path
        started = time.monotonic()
        if path.startswith("/_standin/") or path == "/_standin":
            req = Request(self, "control", None)
            reply = server.control(req)
            self.finish_request(req, reply, started, counted=False)
            return
        found = server.router.find(path)
        if found is None:
            req = Request(self, server.guess_provider(path), None)
            req.violation("route", f"no {self.command} {path} in the documented API the stand-ins implement", "provider")
            self.finish_request(req, server.not_found(req), started, counted=False)
            return
        provider, fn, match = found
        req = Request(self, provider, match)
        allowed, retry_after = server.state.enter(provider)
        req.cap_refused = None if allowed else (retry_after if retry_after is not None else 1.0)
        try:
            try:
                reply = fn(req)
            except (ConnectionError, socket.timeout):
                req.note(status=0, verdict="client_disconnected", body_bytes=req.body_bytes)
                self.close_connection = True
                server.state.finish_entry(req.entry)
                req.entry["done"] = True
                return
            except Exception as error:  # a stand-in bug: answer 500 and keep serving
                req.violation("standin-error", f"{type(error).__name__}: {error}", "standin")
                reply = json_reply(500, {"standin_error": str(error)})
            self.finish_request(req, reply, started, counted=True)
        finally:
            server.state.leave(provider)

    def finish_request(self, req: Request, reply: Reply, started: float, counted: bool) -> None:
        entry = req.entry
        close = req.close_after
        if not req.body_consumed:
            # Read what the client sends before answering, so an early answer (a 401 before a
            # large upload) reaches it rather than a reset; past DRAIN_LIMIT, close instead.
            length = req.content_length()
            if length is not None and length > DRAIN_LIMIT:
                close = True
            elif length or req.is_chunked():
                try:
                    for _ in req.iter_body():
                        if req.body_bytes > DRAIN_LIMIT:
                            close = True
                            break
                except (ConnectionError, ValueError):
                    close = True
        entry["body_bytes"] = req.body_bytes
        entry["status"] = reply.status
        entry["ms"] = round((time.monotonic() - started) * 1000, 1)
        if "verdict" not in entry:
            if entry["violations"]:
                entry["verdict"] = "violation"
            elif entry.get("fault"):
                entry["verdict"] = "fault"
            elif reply.status >= 400 or reply.status == 0:
                entry["verdict"] = "error"
            else:
                entry["verdict"] = "ok"
        if reply.disconnect:
            entry["status"] = 0
            entry["response_bytes"] = 0
            self.server.state.finish_entry(entry)  # type: ignore[attr-defined]
            entry["done"] = True
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        length = reply.stream[0] if reply.stream else len(reply.body)
        planned = 0 if self.command == "HEAD" else (length if reply.cut_after is None else min(length, reply.cut_after))
        # The entry is complete before the first byte leaves: a client that reads the answer
        # and then asks the control API for the log always finds its request there.
        entry["response_bytes"] = planned
        self.server.state.finish_entry(entry)  # type: ignore[attr-defined]
        entry["done"] = True
        sent = 0
        try:
            self.send_response(reply.status)
            if reply.content_type:
                self.send_header("Content-Type", reply.content_type)
            for name, value in reply.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(length))
            if close or reply.cut_after is not None:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if self.command != "HEAD":
                chunks = reply.stream[1] if reply.stream else iter([reply.body])
                for data in chunks:
                    if reply.cut_after is not None and sent + len(data) > reply.cut_after:
                        data = data[: reply.cut_after - sent]
                        self.wfile.write(data)
                        sent += len(data)
                        break
                    self.wfile.write(data)
                    sent += len(data)
            self.wfile.flush()
            if reply.cut_after is not None:
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            entry["verdict"] = "client_disconnected" if entry["verdict"] == "ok" else entry["verdict"]
            entry["response_bytes"] = sent


class StandInServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], state: State, router: Router, control: Callable[[Request], Reply], not_found: Callable[[Request], Reply]):
        self.state = state
        self.router = router
        self.control = control
        self.not_found = not_found
        super().__init__(address, Handler)

    @staticmethod
    def guess_provider(path: str) -> str:
        if path.startswith("/v1/"):
            return "openai" if "chat" in path or "completions" in path else "deepgram"
        if path.startswith("/2010-04-01/") or path.startswith("/twiliocdn/"):
            return "twilio"
        if path.startswith("/v3/") or path.startswith("/calls/") or path.startswith("/callrail-media/"):
            return "callrail"
        return "unknown"

    def serve_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.state.stopping.set()
        self.shutdown()
        self.server_close()

