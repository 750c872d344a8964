"""Deepgram pre-recorded transcription: `POST /v1/listen`.

Documented behaviour implemented (sources: developers.deepgram.com "Getting Started" for
pre-recorded audio, "Authentication", "Errors", "Multichannel", "Diarization", "Utterances",
"API Rate Limits"; the OpenAPI document Deepgram publishes, mirrored at
github.com/deepgram/deepgram-api-specs, openapi.yml, path /v1/listen):
  - `Authorization: Token <API key>`; anything else is 401 `{"err_code": "INVALID_AUTH",
    "err_msg": "Invalid credentials.", "request_id": ...}`. (`Bearer` is for short-lived JWTs from
    /v1/auth/grant; Otto uses its API key, so a Bearer here is a client bug.)
  - body: raw audio bytes with an audio Content-Type, or `{"url": "..."}` with
    `Content-Type: application/json`; an empty, corrupt or unknown body is 400 `{"err_code":
    "Bad Request", "err_msg": "Bad Request: failed to process audio: corrupt or unsupported data"}`;
    invalid JSON is 400 `{"category": "INVALID_JSON", "message": "Invalid JSON submitted.", ...}`.
  - query parameters and their types as the OpenAPI document lists them (booleans are
    `true`/`false`; `model` from its model list; `diarize_model` latest|v1|v2; ...).
  - the response: `metadata` (transaction_key, request_id, sha256 of the body, created,
    duration, channels, models, model_info) and `results.channels[].alternatives[]`
    (transcript, confidence, words) and, with `utterances=true`, `results.utterances[]` (start,
    end, confidence, channel, transcript, words, id, and `speaker` with diarisation). Words carry
    `speaker` and `speaker_confidence` when diarised and `punctuated_word` with
    `punctuate`/`smart_format`. With `multichannel=true` there is one `results.channels` entry
    per audio channel, and utterances are "chronologically ordered by channel" (all of channel
    0, then channel 1), which this stand-in reproduces literally: a client must sort by start.
  - 402 ASR_PAYMENT_REQUIRED, 413, 422, 429, 5xx on demand (faults); Deepgram limits by
    concurrent requests (100 for pre-recorded Nova on pay-as-you-go), which the stand-in's
    concurrency cap models.

Otto's contract on top (issue 13, source "otto" in the log): `model` must be given (the API
silently falls back to a base model otherwise), `utterances=true`, `diarize=true` (or
`diarize_model`) for mono audio, `multichannel=true` or diarisation for two-channel audio, and
raw audio must carry the Content-Type of its container. Unknown query parameters are refused
(the real API may ignore a misspelt one silently). Callbacks are not implemented.

Silent or undocumented, and chosen conservatively: the 429 body (`err_code`
"TOO_MANY_REQUESTS") and whether it has Retry-After (only when the fault sets one, so a client
must cope with none); 502/504 answer plain text, not JSON; `metadata.channels` counts the
result channels (1 when two channels were mixed); a WAV whose header declares more data than the
body holds is refused as corrupt rather than transcribed in part.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid

from . import audio
from .server import Reply, Request, json_reply

MODELS = {
    "nova-3", "nova-3-general", "nova-3-medical", "nova-2", "nova-2-general", "nova-2-meeting",
    "nova-2-finance", "nova-2-conversationalai", "nova-2-voicemail", "nova-2-video", "nova-2-medical",
    "nova-2-drivethru", "nova-2-automotive", "nova", "nova-general", "nova-phonecall", "nova-medical",
    "enhanced", "enhanced-general", "enhanced-meeting", "enhanced-phonecall", "enhanced-finance",
    "base", "meeting", "phonecall", "finance", "conversationalai", "voicemail", "video",
}
BOOLEANS = {
    "sentiment", "topics", "intents", "detect_entities", "diarize", "dictation", "filler_words",
    "measurements", "multichannel", "numerals", "paragraphs", "profanity_filter", "punctuate",
    "smart_format", "utterances", "mip_opt_out",
}
KNOWN = BOOLEANS | {
    "callback", "callback_method", "extra", "summarize", "tag", "custom_topic", "custom_topic_mode",
    "custom_intent", "custom_intent_mode", "detect_language", "diarize_model", "encoding", "keyterm",
    "keywords", "language", "model", "redact", "replace", "search", "utt_split", "version",
    "sample_rate", "channels",
}
REPEATABLE = {"extra", "tag", "custom_topic", "custom_intent", "keyterm", "keywords", "redact", "replace", "search"}
ENCODINGS = {"linear16", "flac", "mulaw", "amr-nb", "amr-wb", "opus", "speex", "g729"}
WAV_TYPES = {"audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave", "audio/x-pn-wav"}
MP3_TYPES = {"audio/mpeg", "audio/mp3", "audio/mpeg3", "audio/x-mpeg-3", "audio/x-mp3"}
_LANGUAGE = re.compile(r"^(multi|[a-z]{2,3}(-[A-Za-z0-9]{2,8})*)$")
_WORDS = (
    "hello thanks for calling how can i help you today i wanted to ask about the price of a new "
    "quote for my kitchen we can schedule a visit next week that sounds good what time works best "
    "for you tuesday morning is fine great i will send the details by email"
).split()
PREFIX = 65536


def _request_id() -> str:
    return str(uuid.uuid4())


def errors(request_id: str):
    """The error builder the gate uses: Deepgram's own bodies per status."""

    def build(status: int, kind: str, retry_after) -> Reply:
        headers = [("dg-request-id", request_id)]
        if retry_after is not None:
            headers.append(("Retry-After", str(int(retry_after)) if float(retry_after).is_integer() else str(retry_after)))
        if status in (502, 504):
            return Reply(status, ("Bad Gateway" if status == 502 else "Gateway Timeout").encode(), "text/plain", headers)
        codes = {
            400: ("Bad Request", "Bad Request: failed to process audio: corrupt or unsupported data"),
            401: ("INVALID_AUTH", "Invalid credentials."),
            402: ("ASR_PAYMENT_REQUIRED", "Project does not have enough credits for an ASR request and does not have an overage agreement."),
            403: ("INSUFFICIENT_PERMISSIONS", "Project does not have access to the requested model."),
            404: ("NOT_FOUND", "Not Found"),
            405: ("METHOD_NOT_ALLOWED", "Method Not Allowed"),
            413: ("PAYLOAD_TOO_LARGE", "Payload Too Large"),
            422: ("ASR_UNPROCESSABLE_ENTITY", "The audio data was incomplete or interrupted."),
            429: ("TOO_MANY_REQUESTS", "Too many requests. Please try again later."),
            500: ("INTERNAL_SERVER_ERROR", "Internal Server Error"),
            503: ("SERVICE_UNAVAILABLE", "Service Unavailable"),
        }
        code, message = codes.get(status, ("ERROR", "Error"))
        return json_reply(status, {"err_code": code, "err_msg": message, "request_id": request_id}, headers)

    return build


def _bad_request(request_id: str, message: str, status: int = 400) -> Reply:
    return json_reply(status, {"err_code": "Bad Request", "err_msg": f"Bad Request: {message}", "request_id": request_id}, [("dg-request-id", request_id)])


def _flag(query: dict, name: str) -> bool:
    return query.get(name, ["false"])[-1] == "true"


def check_query(req: Request, request_id: str) -> Reply | None:
    q = req.query
    for name, values in q.items():
        if name not in KNOWN:
            req.violation("query", f"unknown query parameter {name!r} (the real API may ignore it silently)", "otto")
            return _bad_request(request_id, f"unknown query parameter {name}")
        if len(values) > 1 and name not in REPEATABLE:
            req.violation("query", f"query parameter {name!r} given {len(values)} times", "provider")
            return _bad_request(request_id, f"{name} given more than once")
        value = values[-1]
        if name in BOOLEANS and value not in ("true", "false"):
            req.violation("query", f"{name}={value!r}: booleans are true or false", "provider")
            return _bad_request(request_id, f"Invalid {name} value: {value}")
        if name == "model" and value not in MODELS and value not in set(req.state.config.get("deepgram_models") or ()):
            req.violation("query", f"model={value!r} is not a documented model", "provider")
            return _bad_request(request_id, "No such model/language/tier combination found.")
        if name == "language" and not _LANGUAGE.match(value):
            req.violation("query", f"language={value!r} is not a BCP-47 tag", "provider")
            return _bad_request(request_id, f"Invalid language: {value}")
        if name == "encoding" and value not in ENCODINGS:
            req.violation("query", f"encoding={value!r} is not one of {sorted(ENCODINGS)}", "provider")
            return _bad_request(request_id, f"Invalid encoding: {value}")
        if name == "diarize_model" and value not in ("latest", "v1", "v2"):
            req.violation("query", f"diarize_model={value!r} is not latest, v1 or v2", "provider")
            return _bad_request(request_id, f"Invalid diarize_model: {value}")
        if name in ("utt_split", "sample_rate", "channels"):
            try:
                if float(value) <= 0:
                    raise ValueError
            except ValueError:
                req.violation("query", f"{name}={value!r} is not a positive number", "provider")
                return _bad_request(request_id, f"Invalid {name}: {value}")
        if name == "callback":
            req.violation("query", "callback requests are not implemented by the stand-in (and are not Otto's contract: it waits for the transcript)", "standin")
            return _bad_request(request_id, "callback is not supported by this stand-in")
    if "model" not in q:
        req.violation("query", "no model: the API falls back to a base model silently; Otto sends DEEPGRAM_MODEL", "otto")
        return _bad_request(request_id, "model is required by Otto's contract")
    if not _flag(q, "utterances"):
        req.violation("query", "utterances=true is required: Otto stores utterances", "otto")
        return _bad_request(request_id, "utterances=true is required by Otto's contract")
    return None


def authorize(req: Request, request_id: str) -> Reply | None:
    value = req.header("Authorization")
    key = req.state.config["deepgram_key"]
    if value is None:
        req.violation("auth", "no Authorization header", "provider")
    else:
        scheme, _, credential = value.partition(" ")
        if scheme.lower() != "token":
            req.violation("auth", f"scheme {scheme!r}: Deepgram API keys go in 'Authorization: Token <key>'", "provider")
        elif credential.strip() != key:
            req.violation("auth", "wrong API key", "provider")
        else:
            return None
    return errors(request_id)(401, "auth", None)


class _Body:
    """Reads an audio body as it streams: its size, sha256, first bytes, and for MP3 all of it."""

    def __init__(self, limit: int):
        self.limit = limit
        self.size = 0
        self.sha = hashlib.sha256()
        self.prefix = bytearray()
        self.keep_all = None
        self.data = bytearray()

    def feed(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise OverflowError
        self.sha.update(chunk)
        if len(self.prefix) < PREFIX:
            self.prefix += chunk[: PREFIX - len(self.prefix)]
        if self.keep_all is None:
            self.data += chunk  # until the first 12 bytes tell MP3 (kept whole) from WAV (counted)
            if len(self.data) >= 12:
                self.keep_all = audio.sniff(bytes(self.data[:12])) == "mp3"
                if not self.keep_all:
                    self.data = bytearray()
        elif self.keep_all:
            self.data += chunk


def _fetch_url(req: Request, request_id: str, url: str) -> tuple[bytes, str] | Reply:
    """Fetch a `{"url": ...}` body the way Deepgram would, if it points at this stand-in."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        req.violation("body", f"url {url!r} is not an http(s) URL", "provider")
        return _bad_request(request_id, "Invalid URL")
    own = req.base_url.split("://", 1)[1]
    if parts.netloc.rsplit("@", 1)[-1] != own:
        req.violation("body", f"url host {parts.hostname!r}: the stand-in can only fetch its own media", "standin")
        return json_reply(400, {"err_code": "REMOTE_CONTENT_ERROR", "err_msg": "Could not determine if URL for media download is publicly routable.", "request_id": request_id})
    headers = {"User-Agent": "DeepgramStandIn/1.0"}
    if parts.username is not None:
        import base64

        token = base64.b64encode(f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    clean = urllib.parse.urlunsplit((parts.scheme, own, parts.path, parts.query, ""))
    try:
        with urllib.request.urlopen(urllib.request.Request(clean, headers=headers), timeout=30) as response:
            return response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return json_reply(400, {"err_code": "REMOTE_CONTENT_ERROR", "err_msg": f"The remote server hosting the media returned a client error: {error.code} {error.reason}.", "request_id": request_id})
    except OSError as error:
        return json_reply(400, {"err_code": "REMOTE_CONTENT_ERROR", "err_msg": f"Could not fetch the media: {error}", "request_id": request_id})


def handle(req: Request) -> Reply:
    request_id = _request_id()
    if req.method != "POST":
        req.violation("method", f"{req.method} /v1/listen: pre-recorded transcription is POST", "provider")
        return errors(request_id)(405, "method", None)
    refused = authorize(req, request_id) or check_query(req, request_id)
    if refused:
        return refused
    content_type = (req.header("Content-Type") or "").split(";", 1)[0].strip().lower()
    limit = int(req.state.config["deepgram_max_bytes"])
    declared = req.content_length()
    if declared is not None and declared > limit:
        req.violation("body", f"{declared} bytes is over the {limit}-byte limit", "provider")
        req.close_after = True
        req.body_consumed = True  # not read at all: answer at once and close
        return errors(request_id)(413, "size", None)
    body = _Body(limit)
    if content_type == "application/json":
        raw = req.read_body(1024 * 1024)
        try:
            payload = json.loads(raw)
        except ValueError as error:
            req.violation("body", f"invalid JSON: {error}", "provider")
            return json_reply(400, {"category": "INVALID_JSON", "message": "Invalid JSON submitted.", "details": f"Json deserialize error: {error}", "request_id": request_id})
        if not isinstance(payload, dict) or not isinstance(payload.get("url"), str):
            req.violation("body", "JSON body without a string 'url'", "provider")
            return json_reply(400, {"category": "INVALID_JSON", "message": "Invalid JSON submitted.", "details": "Json deserialize error: missing field `url` at line 1 column 1", "request_id": request_id})
        fetched = _fetch_url(req, request_id, payload["url"])
        if isinstance(fetched, Reply):
            return fetched
        data, content_type = fetched[0], fetched[1].split(";", 1)[0].strip().lower()
        body.feed(data)
        req.note(source="url")
    elif not content_type:
        req.violation("content-type", "raw audio without a Content-Type: send the media's own type (audio/x-wav, audio/mpeg, ...)", "otto")
        return _bad_request(request_id, "Content-Type is required by Otto's contract")
    elif content_type.startswith("audio/") or content_type.startswith("video/") or content_type == "application/octet-stream":
        try:
            for chunk in req.iter_body():
                body.feed(chunk)
        except OverflowError:
            req.violation("body", f"body over the {limit}-byte limit", "provider")
            req.close_after = True
            return errors(request_id)(413, "size", None)
    else:
        req.violation("content-type", f"Content-Type {content_type!r} is neither audio nor application/json", "provider")
        return errors(request_id)(400, "content-type", None)
    req.note(audio_bytes=body.size)
    if body.size == 0:
        req.violation("body", "empty body", "provider")
        return errors(request_id)(400, "empty", None)
    prefix = bytes(body.prefix)
    kind = audio.sniff(prefix)
    try:
        if kind == "wav":
            info = audio.parse_wav(prefix, body.size)
        elif kind == "mp3":
            info = audio.parse_mp3(bytes(body.data))
        else:
            raise audio.AudioError("neither WAV nor MP3")
    except audio.AudioError as error:
        req.violation("body", f"not valid audio: {error}", "provider")
        return errors(request_id)(400, "audio", None)
    if content_type in WAV_TYPES | MP3_TYPES:
        expected = "wav" if content_type in WAV_TYPES else "mp3"
        if expected != info.container:
            req.violation("content-type", f"Content-Type {content_type} but the body is {info.container.upper()}", "otto")
            return _bad_request(request_id, f"Content-Type {content_type} does not match the {info.container} body")
    q = req.query
    multichannel = _flag(q, "multichannel")
    diarize = _flag(q, "diarize") or "diarize_model" in q
    if info.channels >= 2 and not (multichannel or diarize):
        req.violation("query", f"{info.channels}-channel audio without multichannel=true or diarize=true: the parties would be mixed", "otto")
        return _bad_request(request_id, "two-channel audio needs multichannel=true or diarize=true (Otto's contract)")
    if info.channels == 1 and not diarize:
        req.violation("query", "mono audio without diarize=true: utterances would carry no party", "otto")
        return _bad_request(request_id, "mono audio needs diarize=true (Otto's contract)")
    req.note(audio_seconds=round(info.duration, 3), channels=info.channels, container=info.container, model=q["model"][-1], media=audio.media_tag(prefix))
    refused = req.gate(errors(request_id))
    if refused:
        return refused
    if req.fault is not None and req.fault.kind == "malformed":
        return Reply(200, b'{"metadata": {"request_id": "' + request_id.encode() + b'", "duration": ', "application/json", [("dg-request-id", request_id)])
    result = transcribe(info, body.sha.hexdigest(), q, request_id)
    req.note(utterances=len(result["results"].get("utterances", [])))
    req.latency()
    return req.answer(json_reply(200, result, [("dg-request-id", request_id)]))


def _arch(model: str) -> str:
    """The architecture part of a model name: nova-3-general -> nova-3, base -> base."""
    parts = model.split("-")
    return "-".join(parts[:2]) if len(parts) > 1 and parts[1].isdigit() else parts[0]


def _h(seed: str, i: int) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}:{i}".encode()).digest()[:8], "big")


def turns(duration: float, seed: str) -> list[tuple[float, float, int]]:
    """(start, end, party) turns over the audio, alternating parties, with gaps between them."""
    out = []
    t = 0.2 + (_h(seed, -1) % 5) / 10
    i = 0
    while True:
        length = 2.0 + (_h(seed, i) % 40) / 10
        end = min(t + length, duration - 0.05)
        if end - t < 0.3:
            break
        out.append((round(t, 3), round(end, 3), i % 2))
        t = end + 0.2 + (_h(seed, 10_000 + i) % 9) / 10
        i += 1
    return out


def transcribe(info: audio.AudioInfo, sha256: str, q: dict, request_id: str) -> dict:
    multichannel = _flag(q, "multichannel")
    diarize = _flag(q, "diarize") or "diarize_model" in q
    punctuate = _flag(q, "punctuate") or _flag(q, "smart_format")
    model = q["model"][-1]
    out_channels = info.channels if multichannel else 1
    utterances = []
    per_channel: list[list[dict]] = [[] for _ in range(out_channels)]
    for n, (start, end, party) in enumerate(turns(info.duration, sha256)):
        channel = party if (multichannel and info.channels >= 2) else 0
        speaker = 0 if multichannel and info.channels >= 2 else party
        count = max(1, int((end - start) * 2.2))
        step = (end - start) / count
        words = []
        for k in range(count):
            w = _WORDS[_h(sha256, n * 1000 + k) % len(_WORDS)]
            word = {
                "word": w,
                "start": round(start + k * step, 3),
                "end": round(start + k * step + 0.8 * step, 3),
                "confidence": round(0.85 + (_h(sha256, n * 1000 + k + 500) % 14) / 100, 4),
            }
            if diarize:
                word["speaker"] = speaker
                word["speaker_confidence"] = round(0.6 + (_h(sha256, n * 7 + k) % 39) / 100, 4)
            if punctuate:
                shown = w.capitalize() if k == 0 else w
                word["punctuated_word"] = shown + ("." if k == count - 1 else "")
            words.append(word)
        text = " ".join(x.get("punctuated_word", x["word"]) for x in words)
        utterance = {
            "start": start,
            "end": end,
            "confidence": round(sum(x["confidence"] for x in words) / len(words), 4),
            "channel": channel,
            "transcript": text,
            "words": words,
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"standin:{sha256}:{n}")),
        }
        if diarize:
            utterance["speaker"] = speaker
        utterances.append(utterance)
        per_channel[channel].extend(words)
    if multichannel:
        utterances.sort(key=lambda u: (u["channel"], u["start"]))
    channels = []
    for words in per_channel:
        words.sort(key=lambda w: w["start"])
        transcript = " ".join(w.get("punctuated_word", w["word"]) for w in words)
        confidence = round(sum(w["confidence"] for w in words) / len(words), 4) if words else 0.0
        channels.append({"alternatives": [{"transcript": transcript, "confidence": confidence, "words": words}]})
    model_uuid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"standin-model:{model}"))
    return {
        "metadata": {
            "transaction_key": "deprecated",
            "request_id": request_id,
            "sha256": sha256,
            "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "duration": round(info.duration, 6),
            "channels": out_channels,
            "models": [model_uuid],
            "model_info": {model_uuid: {"name": f"general-{model}", "version": "2024-12-20.0", "arch": _arch(model)}},
        },
        "results": {"channels": channels, "utterances": utterances},
    }


def handle_projects(req: Request) -> Reply:
    """`GET /v1/projects`: the documented way to check a key (ListProjectsV1Response)."""
    request_id = _request_id()
    if req.method != "GET":
        req.violation("method", f"{req.method} /v1/projects: listing projects is GET", "provider")
        return errors(request_id)(405, "method", None)
    refused = authorize(req, request_id)
    if refused:
        return refused
    refused = req.gate(errors(request_id))
    if refused:
        return refused
    return req.answer(json_reply(200, {"projects": [{"project_id": str(uuid.uuid5(uuid.NAMESPACE_URL, "standin-project")), "name": "Stand-in project"}]}))
