"""CallRail API v3: a call and its recording.

Documented behaviour implemented (source: CallRail API v3 documentation, apidocs.callrail.com:
"Authorization", "Field Selection", "HTTP Response Codes", "Rate Limiting", "Retrieving a Single
Call", "Retrieving a Single Call Recording"):
  - `Authorization: Token token="<api key>"` (the quoted form of the Authorization section; the
    curl examples leave the quotes out, and both are accepted);
  - `GET /v3/a/{account_id}/calls/{call_id}.json` answers the call object with its default fields
    (answered, business_phone_number, customer_city, customer_country, customer_name,
    customer_phone_number, customer_state, direction, duration, id, recording,
    recording_duration, recording_player, start_time, tracking_phone_number, voicemail) plus
    those named in `fields=` (company_id, company_name, created_at, call_type, ...). `recording`
    is "a URL pointing to the calls/recording api endpoint" (null without a recording),
    `recording_duration` a string of seconds, `recording_player` a stand-alone player page;
  - `GET /v3/a/{account_id}/calls/{call_id}/recording.json` answers `{"url": ...}`: a CallRail URL
    (`/calls/{id}/recording/redirect?access_key=...`) that redirects to the MP3, or for HIPAA
    accounts a temporary storage URL that expires in about 24 hours and must not be stored;
  - 401 without a valid key, 404 for an unknown call, 429 when over the rate limit (1,000
    requests an hour and 10,000 a day by default; "pause or slow requests until the 429 clears":
    no Retry-After is documented, so the stand-in sends none unless a fault sets one).

Undocumented, chosen conservatively: the 401 body is the plain text Rails answers for a
refused token (`HTTP Token: Access denied.`), not JSON, so a client must not depend on a JSON
error body; other errors are `{"error": "..."}` as the documentation's examples show;
unknown `fields` are refused (the real API's answer is not documented).
"""

from __future__ import annotations

import datetime as _dt
import re
import secrets
import time

from . import audio
from .server import Reply, Request, json_reply
from .state import CallRailCall

DEFAULT_FIELDS = (
    "answered", "business_phone_number", "customer_city", "customer_country", "customer_name",
    "customer_phone_number", "customer_state", "direction", "duration", "id", "recording",
    "recording_duration", "recording_player", "start_time", "tracking_phone_number", "voicemail",
)
EXTRA_FIELDS = {
    "agent_email", "call_highlights", "call_summary", "call_type", "campaign", "company_id",
    "company_name", "company_time_zone", "created_at", "custom", "device_type", "fbclid",
    "first_call", "formatted_call_type", "formatted_customer_location", "formatted_business_phone_number",
    "formatted_customer_name", "formatted_customer_name_or_phone_number", "formatted_customer_phone_number",
    "formatted_duration", "formatted_tracking_phone_number", "formatted_tracking_source", "formatted_value",
    "ga", "gclid", "good_lead_call_id", "good_lead_call_time", "keypad_entries", "keywords",
    "keywords_spotted", "landing_page_url", "last_requested_url", "lead_status", "medium", "milestones",
    "msclkid", "note", "person_id", "prior_calls", "referrer_domain", "referring_url", "sentiment",
    "session_uuid", "source", "source_name", "speaker_percent", "tags", "timeline_url", "total_calls",
    "tracker_id", "transcription", "utm_campaign", "utm_content", "utm_medium", "utm_source", "utm_term",
    "value", "voice_assist_message", "waveforms", "zip_code", "lead_score", "lead_explanation",
    "conversational_transcript",
}
_TOKEN = re.compile(r'^Token\s+token=(?:"([^"]*)"|([^\s",]+))\s*$', re.I)


def _error(status: int, message: str, headers=None) -> Reply:
    return json_reply(status, {"error": message}, headers or [])


def errors(status: int, kind: str, retry_after) -> Reply:
    headers = [("Retry-After", str(int(float(retry_after))) if float(retry_after).is_integer() else str(retry_after))] if retry_after is not None else []
    if status == 401:
        return Reply(401, b"HTTP Token: Access denied.\n", "text/plain; charset=utf-8", [("WWW-Authenticate", 'Token realm="Application"')] + headers)
    if status == 404:
        return _error(404, "Not found", headers)
    if status == 429:
        return _error(429, "API rate limit exceeded", headers)
    if status in (502, 504):
        return Reply(status, b"<html><body><h1>Bad Gateway</h1></body></html>", "text/html", headers)
    if status == 503:
        return _error(503, "Service Unavailable", headers)
    if status >= 500:
        return _error(status, "Internal Server Error", headers)
    return _error(status, "Bad Request", headers)


def _authorize(req: Request) -> Reply | None:
    value = req.header("Authorization")
    if value is None:
        req.violation("auth", "no Authorization header", "provider")
        return errors(401, "auth", None)
    m = _TOKEN.match(value)
    if not m:
        req.violation("auth", 'CallRail keys go in \'Authorization: Token token="KEY"\'', "provider")
        return errors(401, "auth", None)
    if (m.group(1) if m.group(1) is not None else m.group(2)) != req.state.config["callrail_key"]:
        req.violation("auth", "wrong API key", "provider")
        return errors(401, "auth", None)
    return None


def _call(req: Request) -> CallRailCall | Reply:
    account, call_id = req.match.group("account"), req.match.group("call")
    with req.state.lock:
        call = req.state.calls.get(call_id)
    if call is None:
        req.violation("call", f"unknown call {call_id}: the stand-in was not told about it", "provider")
        return errors(404, "unknown", None)
    if call.account_id != account:
        req.violation("call", f"call {call_id} belongs to account {call.account_id}, not {account}", "provider")
        return errors(404, "account", None)
    if call.deleted:
        req.note(call_status="deleted")
        return errors(404, "deleted", None)
    return call


def _iso(ts: float) -> str:
    return _dt.datetime.fromtimestamp(ts, _dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def call_object(base_url: str, call: CallRailCall, fields: list[str]) -> dict:
    has_recording = call.recording_duration is not None
    obj = {
        "answered": call.answered,
        "business_phone_number": None,
        "customer_city": "Atlanta",
        "customer_country": "US",
        "customer_name": "Stand-in Caller",
        "customer_phone_number": "+14045550100",
        "customer_state": "GA",
        "direction": "inbound",
        "duration": call.duration,
        "id": call.id,
        "recording": f"{base_url}/v3/a/{call.account_id}/calls/{call.id}/recording.json" if has_recording else None,
        "recording_duration": str(int(round(call.recording_duration))) if has_recording else None,
        "recording_player": f"{base_url}/calls/{call.id}/recording?access_key={call.access_key}" if has_recording else None,
        "start_time": _iso(call.created - call.duration),
        "tracking_phone_number": "+14045550199",
        "voicemail": False,
    }
    extras = {
        "company_id": call.company_id,
        "company_name": "Stand-in Company",
        "company_time_zone": "America/New_York",
        "created_at": _iso(call.created),
        "call_type": "answered" if call.answered else "missed",
        "formatted_duration": f"{call.duration // 60}m {call.duration % 60}s",
        "first_call": True,
        "prior_calls": 0,
        "total_calls": 1,
        "tags": [],
        "note": None,
        "value": None,
        "lead_status": None,
        "source": "Direct",
        "source_name": "Stand-in Tracker",
        "tracker_id": "TRK" + "0" * 32,
        "person_id": "PER" + call.id[3:] if call.id.startswith("CAL") else None,
    }
    for name in fields:
        obj[name] = call.extra.get(name, extras.get(name))
    return obj


def handle_call(req: Request) -> Reply:
    if req.method != "GET":
        req.violation("method", f"{req.method} on a call: the stand-in implements retrieving it (GET)", "standin")
        return errors(405, "method", None)
    refused = _authorize(req)
    if refused:
        return refused
    fields: list[str] = []
    for name, values in req.query.items():
        if name != "fields":
            req.violation("query", f"unknown query parameter {name!r} for a single call", "otto")
            return _error(400, f"Unknown parameter: {name}")
        for value in values:
            fields += [f.strip() for f in value.split(",") if f.strip()]
    unknown = [f for f in fields if f not in EXTRA_FIELDS and f not in DEFAULT_FIELDS]
    if unknown:
        req.violation("query", f"fields {unknown} are not documented call fields", "otto")
        return _error(400, f"Invalid field(s) requested: {', '.join(unknown)}")
    call = _call(req)
    if isinstance(call, Reply):
        return call
    refused = req.gate(errors)
    if refused:
        return refused
    if req.fault is not None and req.fault.kind == "malformed":
        return Reply(200, b'{"id": "' + call.id.encode() + b'", "recording": ', "application/json; charset=utf-8")
    req.note(call=call.id, fields=fields)
    req.latency()
    return req.answer(json_reply(200, call_object(req.base_url, call, fields), content_type="application/json; charset=utf-8"))


def handle_recording(req: Request) -> Reply:
    if req.method != "GET":
        req.violation("method", f"{req.method} on a call recording: retrieving it is GET", "provider")
        return errors(405, "method", None)
    refused = _authorize(req)
    if refused:
        return refused
    if req.query:
        req.violation("query", f"query parameters {sorted(req.query)}: the recording endpoint takes none", "otto")
        return _error(400, "This endpoint takes no parameters")
    call = _call(req)
    if isinstance(call, Reply):
        return call
    if call.recording_duration is None:
        req.note(call=call.id, recording=None)
        return errors(404, "no-recording", None)
    refused = req.gate(errors)
    if refused:
        return refused
    if req.fault is not None and req.fault.kind == "malformed":
        return Reply(200, b'{"url": "', "application/json; charset=utf-8")
    if call.hipaa:
        token = secrets.token_urlsafe(16)
        with req.state.lock:
            req.state.cdn_tokens[token] = ("callrail", call.id, time.time() + 24 * 3600)
        url = f"{req.base_url}/callrail-media/calls/recordings/{token}.mp3"
    else:
        url = f"{req.base_url}/calls/{call.id}/recording/redirect?access_key={call.access_key}"
    req.note(call=call.id, hipaa=call.hipaa)
    req.latency()
    return req.answer(json_reply(200, {"url": url}, content_type="application/json; charset=utf-8"))


def _by_access_key(req: Request) -> CallRailCall | Reply:
    call_id = req.match.group("call")
    keys = req.query.get("access_key") or [""]
    with req.state.lock:
        call = req.state.calls.get(call_id)
    if call is None or call.deleted or call.recording_duration is None or keys[-1] != call.access_key:
        req.violation("media", "unknown call or wrong access_key on a recording URL", "provider")
        return Reply(404, b"Not Found", "text/plain")
    return call


def handle_redirect(req: Request) -> Reply:
    """app.callrail.com's recording link: 302 to the MP3 in storage."""
    call = _by_access_key(req)
    if isinstance(call, Reply):
        return call
    refused = req.gate(errors)
    if refused:
        return refused
    token = secrets.token_urlsafe(16)
    with req.state.lock:
        req.state.cdn_tokens[token] = ("callrail", call.id, time.time() + 3600)
    return req.answer(Reply(302, b"", None, [("Location", f"{req.base_url}/callrail-media/calls/recordings/{token}.mp3")]))


def handle_player(req: Request) -> Reply:
    call = _by_access_key(req)
    if isinstance(call, Reply):
        return call
    html = f"<!doctype html><html><body><audio controls src=\"/calls/{call.id}/recording/redirect?access_key={call.access_key}\"></audio></body></html>"
    return Reply(200, html.encode(), "text/html; charset=utf-8")


def handle_media(req: Request) -> Reply:
    token = req.match.group("token")
    with req.state.lock:
        found = req.state.cdn_tokens.get(token)
        call = req.state.calls.get(found[1]) if found and found[0] == "callrail" else None
    if call is None or call.recording_duration is None:
        req.violation("media", "unknown recording storage URL", "provider")
        return Reply(404, b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code></Error>", "application/xml")
    if time.time() > found[2]:
        req.note(expired=True)
        return Reply(403, b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>", "application/xml")
    refused = req.gate(errors)
    if refused:
        return refused
    if req.fault is not None and req.fault.kind == "malformed":
        return Reply(200, b"<html>not an mp3</html>" * 4, "audio/mpeg")
    req.note(call=call.id, audio_seconds=call.recording_duration, channels=call.channels)
    req.latency()
    length, chunks = audio.mp3_stream(call.recording_duration, call.channels, call.id)
    return req.answer(Reply(200, content_type="audio/mpeg", stream=(length, chunks)))


def handle_accounts(req: Request) -> Reply:
    """`GET /v3/a.json` and `GET /v3/a/{account_id}.json`: the accounts a key can see."""
    if req.method != "GET":
        req.violation("method", f"{req.method} on accounts", "provider")
        return errors(405, "method", None)
    refused = _authorize(req)
    if refused:
        return refused
    with req.state.lock:
        ids = sorted({c.account_id for c in req.state.calls.values()} | {str(req.state.config.get("callrail_account_id") or "ACC" + "0" * 32)})
    accounts = [{"id": i, "name": "Stand-in account", "outbound_recording_enabled": True, "hipaa_account": False} for i in ids]
    refused = req.gate(errors)
    if refused:
        return refused
    one = req.match.groupdict().get("account")
    if one is None:
        return req.answer(json_reply(200, {"page": 1, "per_page": 100, "total_pages": 1, "total_records": len(accounts), "accounts": accounts}))
    found = [a for a in accounts if a["id"] == one]
    if not found:
        req.violation("account", f"unknown account {one}", "provider")
        return errors(404, "account", None)
    return req.answer(json_reply(200, found[0]))
