"""What the stand-in process remembers: configuration, the request log, programmed faults,
rate caps, concurrency figures and the media it serves. One lock guards all of it."""

from __future__ import annotations

import base64
import collections
import hashlib
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

PROVIDERS = ("deepgram", "openai", "twilio", "callrail")

# Fault names per provider. "status", "slow", "malformed", "outage", "unauthorized",
# "disconnect" apply to every provider; the OpenAI answer faults only to OpenAI.
COMMON_FAULTS = {"status", "slow", "malformed", "outage", "unauthorized", "disconnect"}
OPENAI_FAULTS = {"refusal", "length", "schema_mismatch", "content_filter"}

# Obviously fake credentials the stand-in accepts unless told others (never real-looking keys).
DEFAULT_CONFIG = {
    "deepgram_key": "standin-deepgram-key",
    "openai_key": "sk-standin-openai-key",
    "callrail_key": "standin-callrail-key",
    "callrail_account_id": "ACC" + "0" * 32,
    "twilio_account_sid": "AC" + "0" * 32,
    "twilio_auth_token": "f" * 32,
    "twilio_api_key_sid": None,
    "twilio_api_key_secret": None,
    # Model names the OpenAI stand-in accepts: exact names or prefixes ending in "*".
    "openai_models": ["gpt-4o*", "gpt-4.1*", "gpt-5*", "o1*", "o3*", "o4-mini*", "chatgpt-4o*"],
    # Deepgram model names accepted besides the documented list (custom or newer models).
    "deepgram_models": [],
    "deepgram_max_bytes": 2 * 1024 ** 3,
    # The context window the OpenAI stand-in assumes (prompt tokens at four characters each).
    "openai_context_tokens": 128_000,
    "cdn_url_ttl": 4 * 3600,
}
SECRET_CONFIG = {"deepgram_key", "openai_key", "callrail_key", "twilio_auth_token", "twilio_api_key_secret"}


def mask(secret: str | None) -> str:
    """A secret as the log shows it: its length and a short fingerprint, never its characters."""
    if not secret:
        return "<empty>"
    digest = hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()[:8]
    return f"<masked len={len(secret)} sha256={digest}>"


def mask_authorization(value: str) -> str:
    """`Scheme <masked ...>`: the scheme stays readable, the credential does not."""
    scheme, _, credential = value.partition(" ")
    if not credential:
        return mask(value)
    if scheme.lower() == "basic":
        try:
            user, _, _ = base64.b64decode(credential, validate=True).decode("utf-8", "replace").partition(":")
            return f"Basic user={user} password={mask(credential)}"
        except ValueError:
            pass
    return f"{scheme} {mask(credential)}"


@dataclass
class Fault:
    id: int
    provider: str
    kind: str
    count: int | None  # None: until cleared
    params: dict
    served: int = 0


@dataclass
class Limit:
    max_concurrency: int | None = None
    rate: int | None = None
    per_seconds: float = 1.0
    retry_after: float | None = 1.0
    hits: collections.deque = field(default_factory=collections.deque)


@dataclass
class Recording:
    """A Twilio recording the stand-in serves."""

    sid: str
    account_sid: str
    call_sid: str
    duration: float
    channels: int
    basic_auth: bool
    redirect: bool
    status: str = "completed"
    source: str = "RecordVerb"
    created: float = field(default_factory=time.time)


@dataclass
class CallRailCall:
    """A CallRail call object and the recording it points at."""

    id: str
    account_id: str
    company_id: str
    duration: int
    recording_duration: float | None
    channels: int
    answered: bool
    hipaa: bool
    access_key: str
    extra: dict = field(default_factory=dict)
    deleted: bool = False
    created: float = field(default_factory=time.time)


class State:
    def __init__(self, latency: dict[str, float] | None = None):
        self.lock = threading.Lock()
        self.config: dict[str, Any] = dict(DEFAULT_CONFIG)
        self.latency = {p: 0.0 for p in PROVIDERS}
        self.latency.update(latency or {})
        self.log: list[dict] = []
        self.max_log = 50_000  # newest entries; the stats count everything
        self.ids = itertools.count(1)
        self.fault_ids = itertools.count(1)
        self.faults: list[Fault] = []
        self.outage_until = {p: 0.0 for p in PROVIDERS}
        self.limits = {p: Limit() for p in PROVIDERS}
        self.in_flight = {p: 0 for p in PROVIDERS}
        self.recordings: dict[str, Recording] = {}
        self.calls: dict[str, CallRailCall] = {}
        self.cdn_tokens: dict[str, tuple[str, str, float]] = {}  # token -> (kind, key, expires)
        self.stopping = threading.Event()
        self.release = threading.Event()  # set (and replaced) to end every `slow` wait at once
        self.reset_stats()

    # ------------------------------------------------------------------ stats and log

    def reset_stats(self) -> None:
        self.stats = {
            p: {
                "requests": 0,
                "by_status": {},
                "violations": 0,
                "faults_served": 0,
                "rate_limited": 0,
                "max_concurrency": 0,
                "bytes_in": 0,
                "bytes_out": 0,
            }
            for p in PROVIDERS
        }
        self.stats["deepgram"]["audio_seconds"] = 0.0
        self.stats["openai"]["prompt_tokens"] = 0
        self.stats["openai"]["completion_tokens"] = 0
        self.stats["control"] = {"requests": 0}

    def new_entry(self, entry: dict) -> dict:
        with self.lock:
            entry["id"] = next(self.ids)
            self.log.append(entry)
            if len(self.log) > self.max_log:
                del self.log[: len(self.log) - self.max_log]
        return entry

    def finish_entry(self, entry: dict) -> None:
        provider = entry.get("provider")
        with self.lock:
            if provider in PROVIDERS:
                s = self.stats[provider]
                s["requests"] += 1
                status = str(entry.get("status"))
                s["by_status"][status] = s["by_status"].get(status, 0) + 1
                s["bytes_in"] += entry.get("body_bytes") or 0
                s["bytes_out"] += entry.get("response_bytes") or 0
                if entry.get("violations"):
                    s["violations"] += 1
                if entry.get("fault"):
                    s["faults_served"] += 1
                if entry.get("verdict") == "rate_limited":
                    s["rate_limited"] += 1
                if provider == "deepgram" and entry.get("verdict") == "ok":
                    s["audio_seconds"] += entry.get("audio_seconds") or 0.0
                if provider == "openai" and entry.get("verdict") in ("ok", "fault"):
                    s["prompt_tokens"] += entry.get("prompt_tokens") or 0
                    s["completion_tokens"] += entry.get("completion_tokens") or 0
            elif provider == "control":
                self.stats["control"]["requests"] += 1

    def snapshot_stats(self) -> dict:
        with self.lock:
            out = {p: dict(v, by_status=dict(v["by_status"])) if "by_status" in v else dict(v) for p, v in self.stats.items()}
            for p in PROVIDERS:
                out[p]["in_flight"] = self.in_flight[p]
                out[p]["latency"] = self.latency[p]
                lim = self.limits[p]
                out[p]["limits"] = {"max_concurrency": lim.max_concurrency, "rate": lim.rate, "per_seconds": lim.per_seconds}
            return out

    # ------------------------------------------------------------------ concurrency and caps

    def enter(self, provider: str) -> tuple[bool, float | None]:
        """Count a request in; (False, retry_after) when a programmed cap refuses it."""
        now = time.monotonic()
        with self.lock:
            lim = self.limits[provider]
            self.in_flight[provider] += 1
            current = self.in_flight[provider]
            s = self.stats[provider]
            s["max_concurrency"] = max(s["max_concurrency"], current)
            if lim.max_concurrency is not None and current > lim.max_concurrency:
                return False, lim.retry_after
            if lim.rate is not None:
                while lim.hits and lim.hits[0] <= now - lim.per_seconds:
                    lim.hits.popleft()
                if len(lim.hits) >= lim.rate:
                    wait = lim.hits[0] + lim.per_seconds - now
                    return False, lim.retry_after if lim.retry_after is not None and lim.retry_after > wait else max(wait, 0.001)
                lim.hits.append(now)
            return True, None

    def leave(self, provider: str) -> None:
        with self.lock:
            self.in_flight[provider] -= 1

    # ------------------------------------------------------------------ faults

    def add_fault(self, provider: str, kind: str, count: int | None, params: dict) -> Fault:
        with self.lock:
            fault = Fault(next(self.fault_ids), provider, kind, count, params)
            if kind == "outage":
                self.outage_until[provider] = max(self.outage_until[provider], time.monotonic() + float(params["seconds"]))
            self.faults.append(fault)
            return fault

    def in_outage(self, provider: str) -> bool:
        with self.lock:
            return time.monotonic() < self.outage_until[provider]

    def take_fault(self, provider: str) -> Fault | None:
        """The next programmed fault for a provider, spending one of its count."""
        with self.lock:
            for fault in self.faults:
                if fault.provider != provider or fault.kind == "outage":
                    continue
                if fault.count is not None and fault.served >= fault.count:
                    continue
                fault.served += 1
                return fault
            return None

    def release_slow(self) -> None:
        """Wake every request a `slow` fault is holding; later ones wait again."""
        with self.lock:
            event, self.release = self.release, threading.Event()
        event.set()

    def clear_faults(self, provider: str | None = None) -> None:
        with self.lock:
            self.faults = [f for f in self.faults if provider is not None and f.provider != provider]
            for p in PROVIDERS:
                if provider is None or p == provider:
                    self.outage_until[p] = 0.0

    def faults_view(self) -> list[dict]:
        now = time.monotonic()
        with self.lock:
            out = []
            for f in self.faults:
                item = {"id": f.id, "provider": f.provider, "fault": f.kind, "count": f.count, "served": f.served, **f.params}
                if f.kind == "outage":
                    item["active"] = now < self.outage_until[f.provider]
                elif f.count is not None:
                    item["remaining"] = max(0, f.count - f.served)
                out.append(item)
            return out

    # ------------------------------------------------------------------ reset

    def reset(self, media: bool = False, config: bool = False) -> None:
        with self.lock:
            self.log = []
            self.faults = []
            self.outage_until = {p: 0.0 for p in PROVIDERS}
            self.limits = {p: Limit() for p in PROVIDERS}
            if media:
                self.recordings = {}
                self.calls = {}
                self.cdn_tokens = {}
            if config:
                self.config = dict(DEFAULT_CONFIG)
            self.reset_stats()
