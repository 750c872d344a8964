"""The control API under `/_standin/` (never a path a real provider uses).

  GET  /_standin/health                       {"ok": true}
  GET  /_standin/requests[?since=ID&FIELD=VALUE...]   the request log (filtered) and the stats
  GET  /_standin/violations[?provider=]       log entries that broke a rule
  GET  /_standin/stats                        per provider: requests, statuses, max concurrency, ...
  POST /_standin/reset  {"media": false, "config": false}
  GET  /_standin/faults                       programmed faults and what is left of them
  POST /_standin/faults {fault} | {"faults": [fault, ...]}
  POST /_standin/faults/clear {"provider": optional}   (also ends outages)
  POST /_standin/faults/release               ends every wait of a `slow` fault now
  POST /_standin/latency {"deepgram": 0.8, ...}
  POST /_standin/limits {"provider", "max_concurrency", "rate", "per_seconds", "retry_after"}
  GET|POST /_standin/config                   credentials and options (secrets masked on GET)
  GET|POST /_standin/recordings               Twilio recordings the stand-in serves
  GET|POST /_standin/callrail/calls           CallRail calls the stand-in serves

A fault: {"provider": "openai", "fault": "status", "status": 429, "retry_after": 2, "count": 3}.
Faults: status (status, retry_after, code: "insufficient_quota" for OpenAI's quota 429),
unauthorized, slow (seconds), malformed, disconnect (after_bytes: cut a response short),
outage (seconds: every request 503 for that long), latency (seconds: sets the provider's
latency), and for OpenAI refusal, length, schema_mismatch, content_filter. `count` defaults to
1; null means until cleared. Faults are served in the order they were programmed.
"""

from __future__ import annotations

import json
import re
import secrets
import time

from . import callrail, twilio
from .server import Reply, Request, json_reply
from .state import COMMON_FAULTS, OPENAI_FAULTS, PROVIDERS, SECRET_CONFIG, CallRailCall, Recording, mask


class ControlError(ValueError):
    pass


def _body(req: Request) -> dict:
    raw = req.read_body(1024 * 1024)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise ControlError(f"body is not JSON: {error}")
    if not isinstance(data, dict):
        raise ControlError("body must be a JSON object")
    return data


def _number(spec: dict, key: str, required: bool = False, minimum: float = 0.0):
    value = spec.get(key)
    if value is None:
        if required:
            raise ControlError(f"{key} is required")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise ControlError(f"{key} must be a number >= {minimum}")
    return value


def add_fault(req: Request, spec: dict) -> dict:
    provider = spec.get("provider")
    kind = spec.get("fault")
    if provider not in PROVIDERS:
        raise ControlError(f"provider must be one of {list(PROVIDERS)}")
    allowed = COMMON_FAULTS | (OPENAI_FAULTS if provider == "openai" else set()) | {"latency"}
    if kind not in allowed:
        raise ControlError(f"fault for {provider} must be one of {sorted(allowed)}")
    if kind == "latency":
        seconds = _number(spec, "seconds", True)
        with req.state.lock:
            req.state.latency[provider] = float(seconds)
        return {"provider": provider, "fault": "latency", "seconds": seconds}
    params: dict = {}
    if kind == "status":
        status = spec.get("status")
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise ControlError("status must be an HTTP error status (400-599)")
        params["status"] = status
        if spec.get("retry_after") is not None:
            params["retry_after"] = _number(spec, "retry_after")
        if spec.get("code") is not None:
            if spec["code"] != "insufficient_quota" or provider != "openai" or status != 429:
                raise ControlError("code is only 'insufficient_quota', for an OpenAI 429")
            params["code"] = spec["code"]
    elif kind in ("slow", "outage"):
        params["seconds"] = _number(spec, "seconds", True)
    elif kind == "disconnect" and spec.get("after_bytes") is not None:
        params["after_bytes"] = int(_number(spec, "after_bytes"))
    count = spec.get("count", 1)
    if kind == "outage":
        count = None
    elif count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        raise ControlError("count must be a positive integer, or null for until cleared")
    fault = req.state.add_fault(provider, kind, count, params)
    return {"id": fault.id, "provider": provider, "fault": kind, "count": count, **params}


def _hex(n: int) -> str:
    return secrets.token_hex(n // 2)


def add_recording(req: Request, spec: dict) -> dict:
    cfg = req.state.config
    sid = spec.get("sid") or "RE" + _hex(32)
    account = spec.get("account_sid") or cfg["twilio_account_sid"]
    call_sid = spec.get("call_sid") or "CA" + _hex(32)
    if not re.fullmatch(r"RE[0-9a-fA-F]{32}", sid):
        raise ControlError("sid must be RE followed by 32 hex digits")
    if not re.fullmatch(r"AC[0-9a-fA-F]{32}", account):
        raise ControlError("account_sid must be AC followed by 32 hex digits")
    if not re.fullmatch(r"CA[0-9a-fA-F]{32}", call_sid):
        raise ControlError("call_sid must be CA followed by 32 hex digits")
    duration = _number(spec, "duration", True)
    channels = spec.get("channels", 1)
    if channels not in (1, 2):
        raise ControlError("channels must be 1 or 2")
    status = spec.get("status", "completed")
    if status not in ("completed", "processing", "absent", "deleted", "failed"):
        raise ControlError("status must be completed, processing, absent, deleted or failed")
    source = spec.get("source", "DialVerb" if channels == 2 else "RecordVerb")
    basic_auth = bool(spec.get("basic_auth", True))
    redirect = bool(spec.get("redirect", basic_auth))
    rec = Recording(sid, account, call_sid, float(duration), channels, basic_auth, redirect, status, source)
    with req.state.lock:
        req.state.recordings[sid] = rec
    url = twilio.recording_url(req.base_url, rec)
    out = {
        "sid": sid,
        "account_sid": account,
        "call_sid": call_sid,
        "duration": rec.duration,
        "channels": channels,
        "basic_auth": basic_auth,
        "redirect": redirect,
        "status": status,
        "source": source,
        "recording_url": url,
        "callback_params": twilio.callback_params(req.base_url, rec),
    }
    if spec.get("callback_url"):
        params = out["callback_params"]
        sig = twilio.signature(cfg["twilio_auth_token"], spec["callback_url"], params)
        out["callback"] = {"url": spec["callback_url"], "params": params, "signature": sig}
        if spec.get("deliver"):
            out["callback"]["delivery"] = twilio.deliver(spec["callback_url"], params, sig)
    return out


def add_call(req: Request, spec: dict) -> dict:
    call_id = spec.get("id") or "CAL" + _hex(32)
    account = str(spec.get("account_id") or "ACC" + "0" * 32)
    company = str(spec.get("company_id") or "COM" + "0" * 32)
    if not re.fullmatch(r"[A-Za-z0-9]+", call_id) or not re.fullmatch(r"[A-Za-z0-9]+", account):
        raise ControlError("id and account_id are letters and digits")
    duration = int(_number(spec, "duration") or 60)
    has_recording = spec.get("recording", True)
    recording_duration = _number(spec, "recording_duration")
    if recording_duration is None and has_recording:
        recording_duration = duration
    channels = spec.get("channels", 1)
    if channels not in (1, 2):
        raise ControlError("channels must be 1 or 2")
    extra = spec.get("fields") or {}
    if not isinstance(extra, dict):
        raise ControlError("fields must be an object of call fields")
    call = CallRailCall(
        call_id, account, company, duration, float(recording_duration) if has_recording else None, channels,
        bool(spec.get("answered", True)), bool(spec.get("hipaa", False)), _hex(20), extra, bool(spec.get("deleted", False)),
    )
    with req.state.lock:
        req.state.calls[call_id] = call
    obj = callrail.call_object(req.base_url, call, sorted(callrail.EXTRA_FIELDS & {"company_id", "company_name", "created_at", "call_type"}))
    return {"call": obj, "account_id": account, "hipaa": call.hipaa, "channels": channels}


def handle(req: Request) -> Reply:
    try:
        return _route(req)
    except ControlError as error:
        return json_reply(400, {"error": str(error)})


def _route(req: Request) -> Reply:
    state = req.state
    path = req.path.rstrip("/")
    method = req.method
    if path == "/_standin/health":
        return json_reply(200, {"ok": True, "time": time.time()})
    if path == "/_standin/requests" and method == "GET":
        entries = _filtered(req)
        return json_reply(200, {"count": len(entries), "requests": entries, "stats": state.snapshot_stats()})
    if path == "/_standin/violations" and method == "GET":
        entries = [e for e in _filtered(req) if e.get("violations")]
        return json_reply(200, {"count": len(entries), "violations": entries})
    if path == "/_standin/stats" and method == "GET":
        return json_reply(200, state.snapshot_stats())
    if path == "/_standin/reset" and method == "POST":
        spec = _body(req)
        state.reset(media=bool(spec.get("media")), config=bool(spec.get("config")))
        return json_reply(200, {"reset": True})
    if path == "/_standin/faults" and method == "GET":
        return json_reply(200, {"faults": state.faults_view()})
    if path == "/_standin/faults" and method == "POST":
        spec = _body(req)
        specs = spec["faults"] if isinstance(spec.get("faults"), list) else [spec]
        return json_reply(200, {"faults": [add_fault(req, s) for s in specs]})
    if path == "/_standin/faults/clear" and method == "POST" or (path == "/_standin/faults" and method == "DELETE"):
        spec = _body(req) if method == "POST" else {}
        provider = spec.get("provider")
        if provider is not None and provider not in PROVIDERS:
            raise ControlError(f"provider must be one of {list(PROVIDERS)}")
        state.clear_faults(provider)
        return json_reply(200, {"faults": state.faults_view()})
    if path == "/_standin/faults/release" and method == "POST":
        state.release_slow()
        return json_reply(200, {"released": True})
    if path == "/_standin/latency" and method == "POST":
        spec = _body(req)
        for provider, seconds in spec.items():
            if provider not in PROVIDERS:
                raise ControlError(f"unknown provider {provider!r}")
            _number({"s": seconds}, "s", True)
        with state.lock:
            state.latency.update({p: float(s) for p, s in spec.items()})
            current = dict(state.latency)
        return json_reply(200, {"latency": current})
    if path == "/_standin/limits" and method == "POST":
        spec = _body(req)
        provider = spec.get("provider")
        if provider not in PROVIDERS:
            raise ControlError(f"provider must be one of {list(PROVIDERS)}")
        with state.lock:
            lim = state.limits[provider]
            if "max_concurrency" in spec:
                lim.max_concurrency = None if spec["max_concurrency"] is None else int(_number(spec, "max_concurrency", minimum=1))
            if "rate" in spec:
                lim.rate = None if spec["rate"] is None else int(_number(spec, "rate", minimum=1))
                lim.hits.clear()
            if "per_seconds" in spec:
                lim.per_seconds = float(_number(spec, "per_seconds", True, minimum=0.001))
            if "retry_after" in spec:
                lim.retry_after = None if spec["retry_after"] is None else float(_number(spec, "retry_after"))
            view = {"max_concurrency": lim.max_concurrency, "rate": lim.rate, "per_seconds": lim.per_seconds, "retry_after": lim.retry_after}
        return json_reply(200, {"provider": provider, "limits": view})
    if path == "/_standin/config":
        if method == "POST":
            spec = _body(req)
            with state.lock:
                for key, value in spec.items():
                    if key not in state.config:
                        raise ControlError(f"unknown config key {key!r}")
                    state.config[key] = value
        with state.lock:
            view = {k: (mask(v) if k in SECRET_CONFIG and v else v) for k, v in state.config.items()}
        return json_reply(200, {"config": view})
    if path == "/_standin/recordings":
        if method == "POST":
            return json_reply(200, add_recording(req, _body(req)))
        with state.lock:
            recs = [{"sid": r.sid, "account_sid": r.account_sid, "call_sid": r.call_sid, "duration": r.duration, "channels": r.channels, "basic_auth": r.basic_auth, "redirect": r.redirect, "status": r.status} for r in state.recordings.values()]
        return json_reply(200, {"recordings": recs})
    if path == "/_standin/callrail/calls":
        if method == "POST":
            return json_reply(200, add_call(req, _body(req)))
        with state.lock:
            calls = [{"id": c.id, "account_id": c.account_id, "company_id": c.company_id, "recording_duration": c.recording_duration, "hipaa": c.hipaa} for c in state.calls.values()]
        return json_reply(200, {"calls": calls})
    return json_reply(404, {"error": f"no control route {method} {req.path}"})


def _filtered(req: Request) -> list[dict]:
    q = {k: v[-1] for k, v in req.query.items()}
    since = int(q.get("since", "0") or 0)
    with req.state.lock:
        entries = [dict(e) for e in req.state.log if e["id"] > since and e.get("done")]
    for key, value in q.items():  # ?provider=deepgram&verdict=ok&media=RE...: equality on a field
        if key != "since":
            entries = [e for e in entries if str(e.get(key)) == value]
    return entries
