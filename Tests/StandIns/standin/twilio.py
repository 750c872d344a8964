"""Twilio recording media: `GET /2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}[.wav|.mp3|.json]`.

Documented behaviour implemented (sources: twilio.com/docs/voice/api/recording (the Recording
resource, "Fetch a Recording media file"), twilio.com/docs/voice/twiml/recording (the
recordingStatusCallback parameters), help.twilio.com "Prevent unauthorized access to your
Programmable Voice media with HTTP Basic Auth" and the Programmable Messaging variant (media
requests redirect to a short-lived URL), the Twilio changelog on dual-channel conference
recordings (RequestedChannels), twilio.com/docs/errors/20003, 20404, 16113):
  - the RecordingUrl of the status callback has no extension; the bare URL and `.wav` answer a
    binary WAV (`audio/x-wav`), `.mp3` an MP3 (`audio/mpeg`), `.json` the Recording resource
    (which, like all of the REST API, requires credentials);
  - with "Enforce HTTP Auth on Media URLs" on (the recording's `basic_auth`), media requests need
    HTTP Basic `AccountSid:AuthToken` (or `ApiKeySid:ApiKeySecret`): without it 401
    `{"code": 20003, "message": "Authenticate", "more_info": ..., "status": 401}`; an unknown
    recording is 404 `{"code": 20404, ...}`;
  - `RequestedChannels=1|2` picks a downmix or the dual-channel file; asking for 2 channels of a
    mono recording is error 16113; a conference recording downloads as mono unless
    `RequestedChannels=2`;
  - the status callback a recording would produce (AccountSid, CallSid, RecordingSid,
    RecordingUrl, RecordingStatus, RecordingDuration, RecordingChannels, RecordingStartTime,
    RecordingSource, RecordingTrack), signed with X-Twilio-Signature as Twilio signs webhooks
    (HMAC-SHA1 over the URL and the sorted parameters, keyed by the auth token), is built by the
    control API for the tests that send it to Otto.

Ambiguous, chosen conservatively: whether voice recordings redirect. Twilio documents the
redirect to a short-lived URL for messaging media behind HTTP auth; with `redirect` (default:
on when `basic_auth` is on) the stand-in answers 302 to `/twiliocdn/recordings/<token>.<ext>`,
which serves the bytes without credentials and expires after `cdn_url_ttl` seconds (403 after),
so a client must follow redirects. On the real service that URL is on another host, where a
client must not send the account credentials; on the stand-in it is the same host and port, so
the stand-in cannot tell a client that forwards them from one that does not (not checked).
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import hmac
import secrets
import time
import urllib.parse

from . import audio
from .server import Reply, Request, json_reply
from .state import Recording

API = "/2010-04-01"


def _error(status: int, code: int, message: str, headers=None) -> Reply:
    return json_reply(status, {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status}, headers or [])


def errors(path: str):
    def build(status: int, kind: str, retry_after) -> Reply:
        headers = []
        if retry_after is not None:
            headers.append(("Retry-After", str(int(float(retry_after))) if float(retry_after).is_integer() else str(retry_after)))
        if status == 401:
            return _error(401, 20003, "Authenticate", [("WWW-Authenticate", 'Basic realm="Twilio API"')] + headers)
        if status == 404:
            return _error(404, 20404, f"The requested resource {path} was not found", headers)
        if status == 429:
            return _error(429, 20429, "Too Many Requests", headers)
        if status in (502, 504):
            return Reply(status, b"<html><body><h1>Bad Gateway</h1></body></html>" if status == 502 else b"<html><body><h1>Gateway Timeout</h1></body></html>", "text/html", headers)
        if status >= 500:
            return _error(status, 20500, "An internal server error has occurred", headers)
        return _error(status, 20001, "Bad request", headers)

    return build


def _credentials_ok(req: Request, recording: Recording) -> str | None:
    """None when the Basic credentials are the account's (or an API key's); else why not."""
    value = req.header("Authorization")
    if value is None:
        return "missing"
    scheme, _, credential = value.partition(" ")
    if scheme.lower() != "basic":
        return f"scheme {scheme!r}: Twilio media takes HTTP Basic AccountSid:AuthToken"
    try:
        user, _, password = base64.b64decode(credential.strip(), validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return "Basic credential is not base64 of user:password"
    cfg = req.state.config
    if user == recording.account_sid and password == cfg["twilio_auth_token"]:
        return None
    if cfg.get("twilio_api_key_sid") and user == cfg["twilio_api_key_sid"] and password == cfg.get("twilio_api_key_secret"):
        return None
    if user != recording.account_sid and not user.startswith("SK"):
        return f"user {user!r} is not the recording's AccountSid"
    return "wrong password for the AccountSid (or API key)"


def recording_url(base_url: str, rec: Recording) -> str:
    return f"{base_url}{API}/Accounts/{rec.account_sid}/Recordings/{rec.sid}"


def _requested_channels(req: Request, rec: Recording, err) -> int | Reply:
    values = req.query.get("RequestedChannels")
    default = 1 if rec.source in ("Conference", "StartConferenceRecordingAPI") else rec.channels
    if not values:
        return default
    value = values[-1]
    if value not in ("1", "2"):
        req.violation("query", f"RequestedChannels={value!r}: 1 or 2", "provider")
        return _error(400, 20001, f"Invalid RequestedChannels: {value}")
    if value == "2" and rec.channels == 1:
        req.violation("query", "RequestedChannels=2 for a mono recording (error 16113)", "provider")
        return _error(400, 16113, "Voice Recording: Cannot download a dual-channel presentation of a mono recording")
    return int(value)


def media_reply(ext: str, duration: float, channels: int, tag: str) -> Reply:
    if ext == ".mp3":
        length, chunks = audio.mp3_stream(duration, channels, tag)
        return Reply(200, content_type="audio/mpeg", stream=(length, chunks))
    length, chunks = audio.wav_stream(duration, channels, tag=tag)
    return Reply(200, content_type="audio/x-wav", stream=(length, chunks))


def handle_recording(req: Request) -> Reply:
    account, sid, ext = req.match.group("account"), req.match.group("sid"), req.match.group("ext") or ""
    err = errors(req.path)
    if req.method not in ("GET", "HEAD"):
        req.violation("method", f"{req.method} on a recording's media: fetching it is GET", "provider")
        return _error(405, 20004, "Method not allowed")
    with req.state.lock:
        rec = req.state.recordings.get(sid)
    if rec is None:
        req.violation("recording", f"unknown RecordingSid {sid}: the stand-in was not told about it", "provider")
        return err(404, "unknown", None)
    if rec.account_sid != account:
        req.violation("recording", f"recording {sid} belongs to {rec.account_sid}, not {account}", "provider")
        return err(404, "account", None)
    unknown = set(req.query) - {"RequestedChannels"}
    if unknown:
        req.violation("query", f"unknown query parameters {sorted(unknown)}", "otto")
        return _error(400, 20001, f"Unknown parameters: {', '.join(sorted(unknown))}")
    needs_auth = rec.basic_auth or ext == ".json"
    why = _credentials_ok(req, rec)
    if why is not None and (needs_auth or why != "missing"):
        if why == "missing":
            req.violation("auth", "media auth is on: send HTTP Basic AccountSid:AuthToken" if ext != ".json" else "the REST API needs HTTP Basic credentials", "otto" if ext != ".json" else "provider")
        else:
            req.violation("auth", why, "provider")
        return err(401, "auth", None)
    if rec.status != "completed":
        req.note(recording_status=rec.status)
        return err(404, rec.status, None)
    channels = _requested_channels(req, rec, err)
    if isinstance(channels, Reply):
        return channels
    refused = req.gate(err)
    if refused:
        return refused
    req.note(recording=sid, format=ext or "(bare)", channels=channels, audio_seconds=rec.duration)
    if ext == ".json":
        req.latency()
        return req.answer(json_reply(200, resource(req.base_url, rec)))
    if req.fault is not None and req.fault.kind == "malformed":
        return Reply(200, b"<html>this is not audio</html>" * 4, "audio/x-wav" if ext != ".mp3" else "audio/mpeg")
    req.latency()
    if rec.redirect:
        token = secrets.token_urlsafe(16)
        kind = "mp3" if ext == ".mp3" else "wav"
        with req.state.lock:
            req.state.cdn_tokens[token] = (f"twilio:{kind}:{channels}", sid, time.time() + float(req.state.config["cdn_url_ttl"]))
        location = f"{req.base_url}/twiliocdn/recordings/{token}.{kind}"
        return req.answer(Reply(302, b"", None, [("Location", location)]))
    return req.answer(media_reply(ext, rec.duration, channels, rec.sid))


def handle_cdn(req: Request) -> Reply:
    token, ext = req.match.group("token"), req.match.group("ext")
    if req.method not in ("GET", "HEAD"):
        req.violation("method", f"{req.method} on a media URL", "provider")
        return Reply(405, b"", None)
    with req.state.lock:
        found = req.state.cdn_tokens.get(token)
        rec = req.state.recordings.get(found[1]) if found else None
    if found is None or rec is None or not found[0].startswith("twilio:"):
        req.violation("media", "unknown short-lived media URL", "provider")
        return Reply(404, b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code></Error>", "application/xml")
    if time.time() > found[2]:
        req.note(expired=True)
        return Reply(403, b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>", "application/xml")
    _, kind, channels = found[0].split(":")
    refused = req.gate(errors(req.path))
    if refused:
        return refused
    if req.fault is not None and req.fault.kind == "malformed":
        return Reply(200, b"<html>this is not audio</html>" * 4, "audio/x-wav" if kind == "wav" else "audio/mpeg")
    req.note(recording=rec.sid, format=kind, channels=int(channels), audio_seconds=rec.duration)
    return req.answer(media_reply("." + kind, rec.duration, int(channels), rec.sid))


def resource(base_url: str, rec: Recording) -> dict:
    when = email.utils.formatdate(rec.created, usegmt=True)
    uri = f"{API}/Accounts/{rec.account_sid}/Recordings/{rec.sid}.json"
    return {
        "account_sid": rec.account_sid,
        "api_version": "2010-04-01",
        "call_sid": rec.call_sid,
        "conference_sid": None,
        "date_created": when,
        "date_updated": when,
        "start_time": when,
        "duration": str(int(round(rec.duration))),
        "sid": rec.sid,
        "price": None,
        "price_unit": "USD",
        "status": rec.status,
        "channels": rec.channels,
        "source": rec.source,
        "error_code": None,
        "uri": uri,
        "encryption_details": None,
        "subresource_uris": {
            "add_on_results": f"{API}/Accounts/{rec.account_sid}/Recordings/{rec.sid}/AddOnResults.json",
            "transcriptions": f"{API}/Accounts/{rec.account_sid}/Recordings/{rec.sid}/Transcriptions.json",
        },
        "media_url": recording_url(base_url, rec),
    }


def callback_params(base_url: str, rec: Recording) -> dict:
    """The recordingStatusCallback parameters Twilio would POST for this recording."""
    params = {
        "AccountSid": rec.account_sid,
        "CallSid": rec.call_sid,
        "RecordingSid": rec.sid,
        "RecordingUrl": recording_url(base_url, rec),
        "RecordingStatus": rec.status,
        "RecordingDuration": str(int(round(rec.duration))),
        "RecordingChannels": str(rec.channels),
        "RecordingStartTime": email.utils.formatdate(rec.created - rec.duration, usegmt=True),
        "RecordingSource": rec.source,
        "RecordingTrack": "both",
    }
    if rec.status == "absent":
        params["ErrorCode"] = "16101"
    return params


def signature(auth_token: str, url: str, params: dict) -> str:
    """X-Twilio-Signature: base64(HMAC-SHA1(auth token, URL + each sorted key and value))."""
    data = url + "".join(f"{k}{v}" for k, v in sorted(params.items()))
    return base64.b64encode(hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def deliver(url: str, params: dict, sig: str, timeout: float = 30.0) -> dict:
    """POST the callback to `url` as Twilio would (form-encoded, signed); Otto's answer."""
    import urllib.error
    import urllib.request

    data = urllib.parse.urlencode(params).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": sig,
            "User-Agent": "TwilioProxy/1.1",
            "I-Twilio-Idempotency-Token": secrets.token_hex(16),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return {"status": response.status, "body": response.read(4096).decode("utf-8", "replace")}
    except urllib.error.HTTPError as error:
        return {"status": error.code, "body": error.read(4096).decode("utf-8", "replace")}
    except OSError as error:
        return {"status": 0, "error": str(error)}


def handle_account(req: Request) -> Reply:
    """`GET /2010-04-01/Accounts/{AccountSid}.json`: the account resource, a key check."""
    account = req.match.group("account")
    err = errors(req.path)
    if req.method != "GET":
        req.violation("method", f"{req.method} on the account resource", "provider")
        return _error(405, 20004, "Method not allowed")
    probe = Recording("RE" + "0" * 32, account, "CA" + "0" * 32, 0, 1, True, False)
    why = _credentials_ok(req, probe)
    if why is not None:
        req.violation("auth", "the REST API needs HTTP Basic credentials" if why == "missing" else why, "provider")
        return err(401, "auth", None)
    if account != req.state.config["twilio_account_sid"]:
        req.violation("account", f"{account} is not the configured account", "provider")
        return err(404, "account", None)
    refused = req.gate(err)
    if refused:
        return refused
    when = email.utils.formatdate(time.time(), usegmt=True)
    return req.answer(json_reply(200, {
        "sid": account, "owner_account_sid": account, "friendly_name": "Stand-in account", "status": "active",
        "type": "Full", "date_created": when, "date_updated": when, "auth_token": None,
        "uri": f"{API}/Accounts/{account}.json",
    }))
