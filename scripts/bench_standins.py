#!/usr/bin/env python3
"""Provider stand-ins for `make bench`'s pipeline section: Deepgram, OpenAI and Twilio media
on one port, with the providers' typical latencies, counting what Otto's worker sends.

usage: bench_standins.py --port PORT [--port PORT ...] [--host 127.0.0.1]
                         [--latency deepgram=1.2,openai=2.5,twilio=0.3]

Each --port is one listener serving every route, all counted together: give each provider a
port of its own, as the real ones are on hosts of their own (an HTTP client's connection pool
is per host and port: AsyncHTTPClient's holds 8 connections a host by default, so providers
sharing one port would share those 8).

A lighter sibling of Tests/StandIns/providers.py (the tests' stand-in, which logs and checks
everything and programs faults): this one answers thousands of calls cheaply, so the stand-in's
own CPU stays out of the figures on a 2-core machine. It still checks each request's contract
(the credentials, the query, the content type, the body) and answers a malformed one with the
provider's 400 or 401, counted per provider, so a bench run whose Otto sends wrong requests
shows it in `GET /stats`. Standard library only. Prints `ready PORT PORT...` once it listens;
SIGTERM or SIGINT stop it.

Routes (the shapes of Tests/StandIns/README.md, which names the providers' documentation):
  POST /v1/listen                      Deepgram pre-recorded: `Authorization: Token KEY`,
                                       model, smart_format=true, utterances=true and
                                       multichannel=true (two channels) or diarize=true (one);
                                       a WAV or MP3 body, Content-Length or chunked.
  POST /v1/chat/completions            OpenAI: `Authorization: Bearer KEY`, response_format
                                       json_schema with strict: true; the content is built
                                       from the request's schema, so it always matches it.
  GET  /2010-04-01/Accounts/{AC}/Recordings/{RE}[.wav|.mp3]
                                       Twilio media with HTTP Basic AccountSid:AuthToken: a
                                       silent 8 kHz 16-bit PCM WAV, streamed. The recording's
                                       duration and channels are written in its sid (see
                                       `recording_sid`), so no registration is needed.
  GET  /stats                          per provider: requests, ok, rejected (by status, with
                                       the last reasons), peak and current concurrency, bytes,
                                       latency; `all`: the peak over all providers; JSON.
  POST /stats/reset                    zeroes the counters (peaks included).
  POST /latency {"deepgram": 1.2, ...} changes latencies at run time.
"""

from __future__ import annotations

import argparse
import base64
import collections
import hashlib
import json
import signal
import struct
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The providers' typical latencies for one 2-3 minute call, seconds (override with --latency):
#
# - deepgram 1.2: an assumption informed by published figures, not a documented one. Deepgram
#   does not document a pre-recorded turnaround; a third-party benchmark page quotes Nova-3 at
#   about 440x real time (eachlabs.ai's Nova-3 page), which is 0.3-0.4 s of processing for
#   150 s of audio, and a Deepgram community discussion (github.com/orgs/deepgram/discussions/1709)
#   measures about 1 s of wall time for short prerecorded REST requests from a cloud region;
#   with the upload of a 2.4-4.8 MB WAV, 1.2 s after the body arrived.
# - openai 2.5: OpenAI's latency guide (help.openai.com/en/articles/6901266) says a
#   completion's latency is mostly the model and the number of tokens generated; a published
#   benchmark (michaeljohnpena.com, 2024-05-08) measures GPT-4o at 200-400 ms to the first token
#   and 4-6 s for 500 tokens (about 100 tokens/s). Otto's analysis is 150-250 output tokens for
#   a 2-3 minute transcript of about 500-800 input tokens: about 2.5 s. An estimate from those
#   figures, not a measurement of Otto's prompt.
# - twilio 0.3: an assumption (no published figure found): time to the first byte of a
#   recording's media, which Twilio serves from its storage after a redirect; the bytes then
#   stream at loopback speed.
DEFAULT_LATENCY = {"deepgram": 1.2, "openai": 2.5, "twilio": 0.3}
PROVIDERS = tuple(DEFAULT_LATENCY)

# The fake credentials Otto is configured with in the bench (the tests' stand-in's defaults).
DEEPGRAM_KEY = "standin-deepgram-key"
OPENAI_KEY = "sk-standin-openai-key"
TWILIO_ACCOUNT = "AC" + "0" * 32
TWILIO_TOKEN = "f" * 32

DEEPGRAM_PARAMETERS = {"model", "smart_format", "utterances", "multichannel", "diarize"}
SAMPLE_RATE = 8000
ZEROS = bytes(64 << 10)


def recording_sid(duration: int, channels: int, serial: int) -> str:
    """A RecordingSid that carries its recording: RE, 8 hex digits of seconds, 2 of channels,
    22 of a serial (32 hex digits after RE, as Twilio's)."""
    return f"RE{duration:08x}{channels:02x}{serial:022x}"


def parse_recording_sid(sid: str) -> tuple[int, int] | None:
    if len(sid) != 34 or not sid.startswith("RE"):
        return None
    try:
        duration, channels = int(sid[2:10], 16), int(sid[10:12], 16)
    except ValueError:
        return None
    if channels not in (1, 2) or not 0 < duration <= 4 * 3600:
        return None
    return duration, channels


def wav_header(seconds: int, channels: int) -> bytes:
    size = seconds * SAMPLE_RATE * channels * 2
    return (b"RIFF" + struct.pack("<I", 36 + size) + b"WAVE" + b"fmt " +
            struct.pack("<IHHIIHH", 16, 1, channels, SAMPLE_RATE, SAMPLE_RATE * channels * 2, channels * 2, 16) +
            b"data" + struct.pack("<I", size))


class Stats:
    """Counters per provider, behind one lock."""

    def __init__(self, latency: dict[str, float]):
        self.lock = threading.Lock()
        self.latency = dict(latency)
        self.reset()

    def reset(self):
        with self.lock:
            self.providers = {
                name: {"requests": 0, "ok": 0, "rejected": 0, "rejected_by_status": {}, "in_flight": 0,
                       "max_concurrency": 0, "bytes_in": 0, "bytes_out": 0, "audio_seconds": 0.0,
                       "prompt_tokens": 0, "completion_tokens": 0}
                for name in PROVIDERS
            }
            self.reasons = collections.deque(maxlen=50)
            self.other = 0
            self.all = {"in_flight": 0, "max_concurrency": 0}

    def begin(self, provider: str):
        with self.lock:
            entry = self.providers[provider]
            entry["requests"] += 1
            entry["in_flight"] += 1
            entry["max_concurrency"] = max(entry["max_concurrency"], entry["in_flight"])
            self.all["in_flight"] += 1
            self.all["max_concurrency"] = max(self.all["max_concurrency"], self.all["in_flight"])

    def end(self, provider: str, status: int, reason: str | None = None, **figures):
        with self.lock:
            entry = self.providers[provider]
            entry["in_flight"] -= 1
            self.all["in_flight"] -= 1
            if 200 <= status < 300:
                entry["ok"] += 1
            else:
                entry["rejected"] += 1
                key = str(status)
                entry["rejected_by_status"][key] = entry["rejected_by_status"].get(key, 0) + 1
                self.reasons.append({"provider": provider, "status": status, "reason": reason, "time": time.time()})
            for name, value in figures.items():
                entry[name] += value

    def snapshot(self) -> dict:
        with self.lock:
            return {**json.loads(json.dumps(self.providers)), "latency": dict(self.latency),
                    "all": dict(self.all),
                    "reasons": list(self.reasons), "other_requests": self.other}


class Rejected(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "bench-standins"
    sys_version = ""

    def log_message(self, format, *args):  # noqa: A002 - the base class' name
        pass

    @property
    def stats(self) -> Stats:
        return self.server.stats

    # --- plumbing

    def read_body(self, limit: int = 1 << 30):
        """Yields the body's chunks as they arrive (Content-Length or chunked), once a request."""
        if self.body_state is not None:
            return
        self.body_state = "partial"
        yield from self._body(limit)
        self.body_state = "done"

    def _body(self, limit: int):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return
                remaining = size
                while remaining:
                    chunk = self.rfile.read(min(remaining, 256 << 10))
                    if not chunk:
                        raise ConnectionError("the body ended early")
                    remaining -= len(chunk)
                    yield chunk
                self.rfile.readline(16)
        else:
            remaining = int(self.headers.get("Content-Length") or 0)
            if remaining > limit:
                raise Rejected(413, "body too large")
            while remaining:
                chunk = self.rfile.read(min(remaining, 256 << 10))
                if not chunk:
                    raise ConnectionError("the body ended early")
                remaining -= len(chunk)
                yield chunk

    def drain(self):
        for _ in self.read_body():
            pass

    def answer(self, status: int, body: bytes, content_type: str = "application/json", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        return len(body)

    def answer_json(self, status: int, value, headers=()):
        return self.answer(status, json.dumps(value).encode(), headers=headers)

    def route(self):
        return urllib.parse.urlsplit(self.path)

    # --- dispatch

    def do_GET(self):
        self.body_state = None
        path = self.route().path
        if path == "/stats":
            self.answer_json(200, self.stats.snapshot())
        elif path == "/health":
            self.answer_json(200, {"ok": True})
        elif path.startswith("/2010-04-01/Accounts/"):
            self.twilio(path)
        else:
            self.unknown()

    def do_POST(self):
        self.body_state = None
        path = self.route().path
        if path == "/v1/listen":
            self.deepgram()
        elif path == "/v1/chat/completions":
            self.openai()
        elif path == "/stats/reset":
            self.drain()
            self.stats.reset()
            self.answer_json(200, {"ok": True})
        elif path == "/latency":
            changes = json.loads(b"".join(self.read_body()) or b"{}")
            with self.stats.lock:
                self.stats.latency.update({k: float(v) for k, v in changes.items() if k in PROVIDERS})
            self.answer_json(200, dict(self.stats.latency))
        else:
            self.unknown()

    def unknown(self):
        self.drain()
        with self.stats.lock:
            self.stats.other += 1
            self.stats.reasons.append({"provider": None, "status": 404, "reason": f"{self.command} {self.path}",
                                       "time": time.time()})
        self.answer_json(404, {"error": "not found"})

    def served(self, provider: str, body):
        """Runs `body` as one request of `provider`, counted, its Rejected answered."""
        self.stats.begin(provider)
        status, reason, figures = 500, "the stand-in failed", {}
        try:
            status, figures = body()
            reason = None
        except Rejected as rejected:
            status, reason = rejected.status, rejected.reason
            try:
                if self.body_state is None:
                    self.drain()
            except Exception:
                pass
            if self.body_state != "done":
                self.close_connection = True
            self.reject(provider, rejected)
        except (ConnectionError, BrokenPipeError, TimeoutError) as error:
            status, reason = 499, f"connection: {error}"
            self.close_connection = True
        finally:
            self.stats.end(provider, status, reason, **figures)

    def reject(self, provider: str, rejected: Rejected):
        if provider == "deepgram":
            if rejected.status == 401:
                body = {"err_code": "INVALID_AUTH", "err_msg": "Invalid credentials.", "request_id": str(uuid.uuid4())}
            else:
                body = {"err_code": "Bad Request", "err_msg": f"Bad Request: {rejected.reason}",
                        "request_id": str(uuid.uuid4())}
        elif provider == "openai":
            kind = "invalid_request_error"
            body = {"error": {"message": rejected.reason, "type": kind, "param": None,
                              "code": "invalid_api_key" if rejected.status == 401 else None}}
        else:
            code = {401: 20003, 404: 20404}.get(rejected.status, 20001)
            body = {"code": code, "message": rejected.reason,
                    "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": rejected.status}
        headers = [("WWW-Authenticate", 'Basic realm="Twilio API"')] if provider == "twilio" and rejected.status == 401 else []
        self.answer_json(rejected.status, body, headers)

    def wait(self, provider: str):
        with self.stats.lock:
            seconds = self.stats.latency.get(provider, 0.0)
        if seconds > 0:
            time.sleep(seconds)

    # --- Twilio media

    def twilio(self, path: str):
        def serve():
            parts = path.split("/")
            # ['', '2010-04-01', 'Accounts', AC, 'Recordings', RE(.ext)]
            if len(parts) != 6 or parts[4] != "Recordings":
                raise Rejected(404, f"The requested resource {path} was not found")
            account, name = parts[3], parts[5]
            sid, _, extension = name.partition(".")
            recording = parse_recording_sid(sid)
            if account != TWILIO_ACCOUNT or recording is None:
                raise Rejected(404, f"The requested resource {path} was not found")
            if extension not in ("", "wav", "mp3"):
                raise Rejected(404, f"media extension .{extension} is not served by the bench stand-in")
            if self.route().query:
                raise Rejected(400, f"unexpected query {self.route().query!r}")
            value = self.headers.get("Authorization", "")
            scheme, _, credential = value.partition(" ")
            expected = base64.b64encode(f"{TWILIO_ACCOUNT}:{TWILIO_TOKEN}".encode()).decode()
            if scheme.lower() != "basic" or credential.strip() != expected:
                raise Rejected(401, "Authenticate")
            self.wait("twilio")
            duration, channels = recording
            if extension == "mp3":
                # A 32 kbit/s mono MPEG-1 Layer III stream of silent frames (Twilio's MP3 rate).
                frame = bytes([0xFF, 0xFB, 0x48, 0xC4]) + bytes(140)  # 144 bytes, 26.1 ms at 44.1 kHz-equivalent
                frames = int(duration / 0.026122)
                size = len(frame) * frames
                head, content_type = b"", "audio/mpeg"
                payload = frame * 64
            else:
                head, content_type = wav_header(duration, channels), "audio/x-wav"
                size = duration * SAMPLE_RATE * channels * 2
                payload = ZEROS
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(head) + size))
            self.end_headers()
            self.wfile.write(head)
            left = size
            view = memoryview(payload)
            while left:
                step = min(left, len(view))
                self.wfile.write(view[:step])
                left -= step
            return 200, {"bytes_out": len(head) + size}

        self.served("twilio", serve)

    # --- Deepgram

    def deepgram(self):
        def serve():
            value = self.headers.get("Authorization", "")
            scheme, _, key = value.partition(" ")
            if scheme.lower() != "token" or key.strip() != DEEPGRAM_KEY:
                raise Rejected(401, "Invalid credentials.")
            query = urllib.parse.parse_qs(self.route().query, keep_blank_values=True)
            unknown = set(query) - DEEPGRAM_PARAMETERS
            if unknown:
                raise Rejected(400, f"unknown query parameters {sorted(unknown)}")
            if any(len(v) != 1 for v in query.values()):
                raise Rejected(400, "a parameter is repeated")
            flat = {k: v[0] for k, v in query.items()}
            if not flat.get("model"):
                raise Rejected(400, "model is missing (the API would fall back to base)")
            for name in ("smart_format", "utterances"):
                if flat.get(name) != "true":
                    raise Rejected(400, f"{name}=true is missing")
            for name in ("multichannel", "diarize"):
                if name in flat and flat[name] not in ("true", "false"):
                    raise Rejected(400, f"{name} is not a boolean")
            content_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if content_type not in ("audio/x-wav", "audio/wav", "audio/wave", "audio/mpeg"):
                raise Rejected(400, f"Content-Type {content_type!r} does not name the audio's container")
            head, received = b"", 0
            for chunk in self.read_body():
                if len(head) < 44:
                    head += chunk[:44 - len(head)]
                received += len(chunk)
            if received == 0:
                raise Rejected(400, "failed to process audio: corrupt or unsupported data (empty body)")
            if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
                if content_type == "audio/mpeg":
                    raise Rejected(400, "a WAV body sent as audio/mpeg")
                channels, rate = struct.unpack("<H", head[22:24])[0], struct.unpack("<I", head[24:28])[0]
                size = struct.unpack("<I", head[40:44])[0]
                if received != 44 + size:
                    raise Rejected(400, f"failed to process audio: the WAV promises {size} bytes of data, "
                                        f"the body held {received - 44}")
                duration = size / (rate * channels * 2)
            elif head[:2] == b"\xff\xfb":
                if content_type != "audio/mpeg":
                    raise Rejected(400, "an MP3 body sent as a WAV")
                channels, duration = 1, (received / 144) * 0.026122
            else:
                raise Rejected(400, "failed to process audio: corrupt or unsupported data")
            multichannel = flat.get("multichannel") == "true"
            diarize = flat.get("diarize") == "true"
            if channels == 2 and not (multichannel or diarize):
                raise Rejected(400, "two-channel audio without multichannel=true or diarisation")
            if channels == 1 and not diarize:
                raise Rejected(400, "mono audio without diarize=true (the parties would not be told apart)")
            if multichannel and channels == 1:
                raise Rejected(400, "multichannel=true for mono audio")
            self.wait("deepgram")
            body = json.dumps(transcription(flat["model"], duration, channels if multichannel else 1,
                                            diarize, received)).encode()
            sent = self.answer(200, body, headers=[("dg-request-id", str(uuid.uuid4()))])
            return 200, {"bytes_in": received, "bytes_out": sent, "audio_seconds": duration}

        self.served("deepgram", serve)

    # --- OpenAI

    def openai(self):
        def serve():
            value = self.headers.get("Authorization", "")
            scheme, _, key = value.partition(" ")
            if scheme != "Bearer" or key.strip() != OPENAI_KEY:
                raise Rejected(401, "Incorrect API key provided.")
            if self.headers.get("Content-Type", "").split(";")[0].strip().lower() != "application/json":
                raise Rejected(400, "the body must be application/json")
            raw = b"".join(self.read_body(limit=8 << 20))
            try:
                request = json.loads(raw)
            except ValueError:
                raise Rejected(400, "We could not parse the JSON body of your request.")
            if not isinstance(request, dict) or not isinstance(request.get("model"), str) or not request["model"]:
                raise Rejected(400, "you must provide a model parameter")
            messages = request.get("messages")
            if not isinstance(messages, list) or not messages or not all(
                    isinstance(m, dict) and m.get("role") in ("system", "developer", "user", "assistant")
                    and isinstance(m.get("content"), str) for m in messages):
                raise Rejected(400, "messages must be a non-empty list of {role, content}")
            limit = request.get("max_completion_tokens")
            if limit is not None and (not isinstance(limit, int) or limit < 1):
                raise Rejected(400, "max_completion_tokens must be a positive integer")
            format_ = request.get("response_format") or {}
            named = format_.get("json_schema") or {}
            if format_.get("type") != "json_schema" or named.get("strict") is not True or not named.get("name"):
                raise Rejected(400, "response_format must be json_schema with a name and strict: true")
            schema = named.get("schema")
            problem = strict_problem(schema, "schema")
            if problem:
                raise Rejected(400, f"Invalid schema for response_format '{named.get('name')}': {problem}")
            self.wait("openai")
            transcript = messages[-1]["content"]
            content = json.dumps(instance(schema, transcript), separators=(",", ":"))
            prompt_tokens = max(1, len(raw) // 4)
            completion_tokens = max(1, len(content) // 4)
            answer = {
                "id": "chatcmpl-" + uuid.uuid4().hex, "object": "chat.completion", "created": int(time.time()),
                "model": request["model"],
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": None,
                                                     "annotations": []},
                             "logprobs": None, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                          "total_tokens": prompt_tokens + completion_tokens,
                          "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                          "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                                        "accepted_prediction_tokens": 0,
                                                        "rejected_prediction_tokens": 0}},
                "service_tier": "default", "system_fingerprint": "fp_bench",
            }
            sent = self.answer_json(200, answer, headers=[("x-request-id", "req_" + uuid.uuid4().hex)])
            return 200, {"bytes_in": len(raw), "bytes_out": sent, "prompt_tokens": prompt_tokens,
                         "completion_tokens": completion_tokens}

        self.served("openai", serve)


def transcription(model: str, duration: float, channels: int, diarize: bool, size: int) -> dict:
    """A Deepgram ListenV1Response: turns of 2 to 6 s alternating between the two parties with
    gaps between them; with two channels each party on its own channel, utterances ordered by
    channel then time (as documented), with diarisation `speaker` 0 and 1."""
    turns, start, party, index = [], 0.0, 0, 0
    while start + 1.0 < duration:
        length = min(2.0 + (index * 7 % 5), duration - start)
        turns.append((party, round(start, 2), round(start + length, 2)))
        start += length + 0.4 + (index % 3) * 0.3
        party, index = 1 - party, index + 1
    model_id = str(uuid.UUID(hashlib.md5(model.encode()).hexdigest()))
    utterances = []
    for number, (who, begin, end) in enumerate(turns):
        text = f"party {who} turn {number} about the quote and the delivery date"
        utterance = {"start": begin, "end": end, "confidence": 0.93, "channel": who if channels == 2 else 0,
                     "transcript": text, "words": [], "id": str(uuid.uuid4())}
        if diarize:
            utterance["speaker"] = who
        utterances.append(utterance)
    if channels == 2:
        utterances.sort(key=lambda u: (u["channel"], u["start"]))
    per_channel = [" ".join(u["transcript"] for u in utterances if u["channel"] == c) for c in range(channels)]
    return {
        "metadata": {"transaction_key": "deprecated", "request_id": str(uuid.uuid4()),
                     "sha256": hashlib.sha256(str(size).encode()).hexdigest(), "created": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                     "duration": round(duration, 3), "channels": channels, "models": [model_id],
                     "model_info": {model_id: {"name": f"general-{model}", "version": "2025-01-01", "arch": model}}},
        "results": {"channels": [{"alternatives": [{"transcript": text, "confidence": 0.93, "words": []}]}
                                 for text in per_channel],
                    "utterances": utterances},
    }


SUPPORTED = {"type", "properties", "required", "additionalProperties", "items", "enum", "const", "anyOf",
             "description", "title", "minimum", "maximum", "minItems", "maxItems", "pattern", "format", "$defs",
             "$ref", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}


def strict_problem(schema, where: str) -> str | None:
    """Why `schema` would fail OpenAI's strict mode (the checks that matter for Otto's schema)."""
    if not isinstance(schema, dict):
        return f"{where} is not a schema object"
    extra = set(schema) - SUPPORTED
    if extra:
        return f"In context={where}, {sorted(extra)} are not permitted"
    kind = schema.get("type")
    if kind is None and "enum" not in schema and "anyOf" not in schema:
        return f"In context={where}, schema must have a 'type' key"
    if kind == "object":
        properties = schema.get("properties")
        if not isinstance(properties, dict):
            return f"In context={where}, an object must list its properties"
        if schema.get("additionalProperties") is not False:
            return f"In context={where}, 'additionalProperties' is required to be supplied and to be false"
        if sorted(schema.get("required") or []) != sorted(properties):
            return f"In context={where}, 'required' is required to be supplied and to be an array including every key in properties"
        for name, sub in properties.items():
            problem = strict_problem(sub, f"{where}.properties.{name}")
            if problem:
                return problem
    if kind == "array":
        return strict_problem(schema.get("items"), f"{where}.items")
    return None


def instance(schema: dict, transcript: str):
    """A value that matches `schema` (the subset strict_problem accepts)."""
    seed = int(hashlib.md5(transcript.encode()).hexdigest()[:8], 16)
    if "enum" in schema:
        return schema["enum"][seed % len(schema["enum"])]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        return {name: instance(sub, transcript + name) for name, sub in schema["properties"].items()}
    if kind == "array":
        count = max(schema.get("minItems", 0), min(2, schema.get("maxItems", 2)))
        return [instance(schema["items"], transcript + str(i)) for i in range(count)]
    if kind == "integer":
        low, high = schema.get("minimum", 0), schema.get("maximum", 100)
        return low + seed % (high - low + 1)
    if kind == "number":
        low, high = schema.get("minimum", 0), schema.get("maximum", 1)
        return low + (seed % 1000) / 1000 * (high - low)
    if kind == "boolean":
        return seed % 2 == 0
    if kind == "null":
        return None
    return "The caller asked about a quote and the delivery date; the agent agreed to send details by email."


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 4096
    allow_reuse_address = True


def parse_latency(text: str) -> dict[str, float]:
    out = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        if not sep or name not in PROVIDERS:
            raise argparse.ArgumentTypeError(f"latency entries are PROVIDER=SECONDS with PROVIDER one of {PROVIDERS}")
        out[name] = float(value)
        if out[name] < 0:
            raise argparse.ArgumentTypeError("latency must not be negative")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, action="append", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--latency", type=parse_latency, default={})
    args = parser.parse_args(argv)
    stats = Stats({**DEFAULT_LATENCY, **args.latency})
    servers = []
    for port in args.port:
        server = Server((args.host, port), Handler)
        server.stats = stats
        servers.append(server)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    for server in servers:
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    print("ready " + " ".join(str(server.server_address[1]) for server in servers), flush=True)
    stop.wait()
    for server in servers:
        server.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
