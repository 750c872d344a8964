"""OpenAI chat completions with Structured Outputs: `POST /v1/chat/completions`.

Documented behaviour implemented (sources: OpenAI's OpenAPI document,
github.com/openai/openai-openapi, openapi.json: CreateChatCompletionRequest,
CreateChatCompletionResponse, ChatCompletionResponseMessage, CompletionUsage,
ResponseFormatJsonSchema, ErrorResponse, components.responses.TooManyRequests; the API
reference's "Authentication" (`Authorization: Bearer`); the "Error codes" guide (401 invalid
authentication / incorrect API key, 429 rate limit and quota, 500, 503); the "Rate limits"
guide (x-ratelimit-* headers); the "Structured Outputs" guide (strict schema rules, refusals,
finish_reason "length"):
  - `Authorization: Bearer <key>`; a missing or wrong key is 401 with
    `{"error": {"message", "type": "invalid_request_error", "param": null, "code":
    "invalid_api_key"}}`; every error body is `{"error": {"message", "type", "param", "code"}}`.
  - the request: JSON object with `model` and a non-empty `messages` array (roles developer,
    system, user, assistant, tool; content a string or content parts); `response_format` of type
    `json_schema` with `json_schema.name` (a-z, A-Z, 0-9, _ and -, at most 64) and `schema`;
    with `strict: true` the schema must pass strict mode (see schema.py), else 400
    `invalid_request_error` / `invalid_json_schema` with param `response_format`.
  - the response: `id` ("chatcmpl-..."), `object` "chat.completion", `created`, `model`,
    `choices[]` (index, message {role "assistant", content (the JSON document as a string),
    refusal, annotations}, logprobs null, finish_reason "stop" | "length" | "content_filter"),
    `usage` {prompt_tokens, completion_tokens, total_tokens, details}, `service_tier`,
    `system_fingerprint`; headers `x-request-id`, `openai-processing-ms` and the
    `x-ratelimit-limit/remaining/reset-requests/tokens` family.
  - a refusal is `message.refusal` (a string) with `content` null; `max_completion_tokens` (or the
    deprecated `max_tokens`) smaller than the answer truncates it: finish_reason "length" and a
    content that is not complete JSON; 429 carries `retry-after` (seconds, only when the server
    computed one: the OpenAPI document says it "may be omitted") and the x-ratelimit headers;
    429 `insufficient_quota` (type and code) is the quota error a client must not retry.

Otto's contract on top (source "otto"): `response_format` must be `json_schema` with
`strict: true`, and the request must not stream (the stand-in does not implement SSE).

Not documented and chosen conservatively: 502 and 504 answer an HTML page (OpenAI sits
behind a CDN whose gateway errors are HTML), so a client must not assume a JSON error body;
`model` echoes the request's model (the real API often answers with the dated snapshot name,
so a client should store the response's `model`, which this stand-in cannot tell apart).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
import uuid

from . import schema as strict
from .server import Reply, Request, json_reply

ROLES = {"developer", "system", "user", "assistant", "tool", "function"}
# CreateChatCompletionRequest's properties in the OpenAPI document; the API refuses others
# ("Unrecognized request argument supplied: ...").
REQUEST_KEYS = {
    "audio", "frequency_penalty", "function_call", "functions", "logit_bias", "logprobs",
    "max_completion_tokens", "max_tokens", "messages", "metadata", "modalities", "model", "moderation",
    "n", "parallel_tool_calls", "prediction", "presence_penalty", "prompt_cache_key",
    "prompt_cache_options", "prompt_cache_retention", "reasoning_effort", "response_format",
    "safety_identifier", "seed", "service_tier", "stop", "store", "stream", "stream_options",
    "temperature", "tool_choice", "tools", "top_logprobs", "top_p", "user", "verbosity", "web_search_options",
}
LISTED_MODELS = ("gpt-4o", "gpt-4o-mini", "gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-5", "gpt-5-mini", "gpt-5-nano", "o3", "o4-mini")
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
REFUSAL = "I'm sorry, but I can't help with that request."
RPM_LIMIT = 10_000
TPM_LIMIT = 30_000_000


def _error(status: int, message: str, type_: str, code: str | None = None, param: str | None = None, headers=None) -> Reply:
    return json_reply(status, {"error": {"message": message, "type": type_, "param": param, "code": code}}, headers or [])


def _mask_key(key: str) -> str:
    """The form OpenAI quotes a wrong key in: its first 3 and last 4 characters."""
    return f"{key[:3]}{'*' * max(0, len(key) - 7)}{key[-4:]}" if len(key) > 8 else "*" * len(key)


def errors(request_id: str, model: str = "gpt-4o"):
    def build(status: int, kind: str, retry_after) -> Reply:
        headers = [("x-request-id", request_id)]
        if status in (502, 504):
            title = "502 Bad Gateway" if status == 502 else "504 Gateway Time-out"
            html = f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n"
            return Reply(status, html.encode(), "text/html", headers)
        if status == 429:
            if retry_after is not None:
                headers += [("retry-after", str(max(1, math.ceil(float(retry_after))))), ("retry-after-ms", str(int(float(retry_after) * 1000)))]
            headers += [
                ("x-ratelimit-limit-requests", str(RPM_LIMIT)),
                ("x-ratelimit-remaining-requests", "0"),
                ("x-ratelimit-reset-requests", f"{float(retry_after or 1):g}s"),
                ("x-ratelimit-limit-tokens", str(TPM_LIMIT)),
                ("x-ratelimit-remaining-tokens", "0"),
                ("x-ratelimit-reset-tokens", f"{float(retry_after or 1):g}s"),
            ]
            if kind == "insufficient_quota":
                return _error(429, "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.", "insufficient_quota", "insufficient_quota", headers=headers)
            wait = f"{int(float(retry_after) * 1000)}ms" if retry_after is not None else "1s"
            return _error(429, f"Rate limit reached for {model} in organization org-standin on requests per min (RPM): Limit {RPM_LIMIT}, Used {RPM_LIMIT}, Requested 1. Please try again in {wait}. Visit https://platform.openai.com/account/rate-limits to learn more.", "requests", "rate_limit_exceeded", headers=headers)
        if status == 401:
            return _error(401, "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key", headers=headers)
        if status == 500:
            return _error(500, "The server had an error while processing your request. Sorry about that!", "server_error", headers=headers)
        if status == 503:
            return _error(503, "The server is overloaded or not ready yet.", "server_error", headers=headers)
        if status == 400:
            return _error(400, "Bad request.", "invalid_request_error", headers=headers)
        if status == 404:
            return _error(404, f"The model `{model}` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found", headers=headers)
        return _error(status, f"Error {status}.", "server_error" if status >= 500 else "invalid_request_error", headers=headers)

    return build


def _authorize(req: Request) -> Reply | None:
    value = req.header("Authorization")
    key = req.state.config["openai_key"]
    if value is None:
        req.violation("auth", "no Authorization header", "provider")
        return _error(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.", "invalid_request_error")
    scheme, _, credential = value.partition(" ")
    if scheme.lower() != "bearer":
        req.violation("auth", f"scheme {scheme!r}: OpenAI keys go in 'Authorization: Bearer <key>'", "provider")
        return _error(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", "invalid_request_error")
    if credential.strip() != key:
        req.violation("auth", "wrong API key", "provider")
        return _error(401, f"Incorrect API key provided: {_mask_key(credential.strip())}. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key")
    return None


def _model_allowed(model: str, patterns: list[str]) -> bool:
    for p in patterns:
        if p.endswith("*") and model.startswith(p[:-1]):
            return True
        if model == p:
            return True
    return False


def _text_of(content) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def tokens(text: str) -> int:
    """A token estimate: one token per four characters, at least one."""
    return max(1, math.ceil(len(text) / 4))


def check_request(req: Request, body: dict) -> Reply | None:
    def bad(message: str, param: str | None, source: str = "provider", code: str | None = None) -> Reply:
        req.violation("body", message, source)
        return _error(400, message, "invalid_request_error", code, param)

    unknown = sorted(set(body) - REQUEST_KEYS)
    if unknown:
        return bad(f"Unrecognized request argument supplied: {unknown[0]}", None)
    model = body.get("model")
    if not isinstance(model, str) or not model:
        return bad("you must provide a model parameter", "model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return bad("[] is too short - 'messages'" if messages == [] else "Missing required parameter: 'messages'.", "messages")
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ROLES:
            return bad(f"Invalid value for 'messages[{i}].role': expected one of developer, system, user, assistant, tool.", f"messages[{i}].role", code="invalid_value")
        content = m.get("content")
        if m["role"] in ("developer", "system", "user", "tool") and not isinstance(content, (str, list)):
            return bad(f"Missing required parameter: 'messages[{i}].content'.", f"messages[{i}].content", code="missing_required_parameter")
        if isinstance(content, list) and not content:
            return bad(f"Invalid 'messages[{i}].content': empty array. Expected an array with minimum length 1.", f"messages[{i}].content", code="empty_array")
    for key in ("max_completion_tokens", "max_tokens"):
        value = body.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            return bad(f"Invalid '{key}': integer below minimum value. Expected a value >= 1.", key, code="integer_below_min_value")
    if body.get("max_tokens") is not None and body.get("max_completion_tokens") is not None:
        return bad("max_tokens and max_completion_tokens cannot both be set.", "max_tokens")
    n = body.get("n", 1)
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 128):
        return bad("Invalid 'n': expected an integer between 1 and 128.", "n")
    if body.get("stream"):
        req.violation("body", "stream=true: Otto reads whole completions; the stand-in does not implement server-sent events", "standin")
        return _error(400, "Streaming is not supported by this stand-in.", "invalid_request_error", None, "stream")
    rf = body.get("response_format")
    if not isinstance(rf, dict) or rf.get("type") != "json_schema":
        got = rf.get("type") if isinstance(rf, dict) else rf
        return bad(f"response_format must be json_schema with strict: true (Otto's contract), got {got!r}", "response_format", "otto")
    js = rf.get("json_schema")
    if not isinstance(js, dict):
        return bad("Missing required parameter: 'response_format.json_schema'.", "response_format.json_schema", code="missing_required_parameter")
    extra = sorted(set(js) - {"name", "description", "schema", "strict"})
    if extra:
        return bad(f"Unrecognized request argument supplied: response_format.json_schema.{extra[0]}", "response_format.json_schema")
    name = js.get("name")
    if not isinstance(name, str):
        return bad("Missing required parameter: 'response_format.json_schema.name'.", "response_format.json_schema.name", code="missing_required_parameter")
    if not _NAME.match(name):
        return bad(f"Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$' of at most 64 characters, got '{name}'.", "response_format.json_schema.name", code="invalid_value")
    if js.get("strict") is not True:
        return bad("response_format.json_schema.strict must be true (Otto's contract): without it the model may answer JSON that does not match the schema", "response_format.json_schema.strict", "otto")
    schema_ = js.get("schema")
    if schema_ is None:
        return bad("Missing required parameter: 'response_format.json_schema.schema'.", "response_format.json_schema.schema", code="missing_required_parameter")
    problems = strict.strict_errors(schema_)
    if problems:
        req.note(schema_errors=problems)
        return bad(f"Invalid schema for response_format '{name}': {problems[0]}", "response_format", code="invalid_json_schema")
    window = int(req.state.config.get("openai_context_tokens") or 128_000)
    prompt = sum(tokens(_text_of(m.get("content"))) + 4 for m in messages) + 3
    if prompt > window:
        return bad(f"This model's maximum context length is {window} tokens. However, your messages resulted in {prompt} tokens. Please reduce the length of the messages.", "messages", code="context_length_exceeded")
    if not _model_allowed(model, req.state.config.get("openai_models") or []):
        req.violation("body", f"model {model!r} is not one the stand-in knows to support Structured Outputs", "provider")
        return _error(404, f"The model `{model}` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found")
    return None


def handle(req: Request) -> Reply:
    request_id = "req_" + uuid.uuid4().hex
    if req.method != "POST":
        req.violation("method", f"{req.method} /v1/chat/completions: creating a completion is POST", "provider")
        return _error(405, f"Invalid method for URL ({req.method} /v1/chat/completions)", "invalid_request_error")
    refused = _authorize(req)
    if refused:
        return refused
    content_type = (req.header("Content-Type") or "").split(";", 1)[0].strip().lower()
    raw = req.read_body(32 * 1024 * 1024)
    if content_type != "application/json":
        req.violation("content-type", f"Content-Type {content_type or 'missing'}: the body is JSON", "provider")
        return _error(400, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)", "invalid_request_error")
    try:
        body = json.loads(raw)
    except ValueError:
        req.violation("body", "body is not valid JSON", "provider")
        return _error(400, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)", "invalid_request_error")
    if not isinstance(body, dict):
        req.violation("body", "body is not a JSON object", "provider")
        return _error(400, "Invalid type for request body: expected an object.", "invalid_request_error")
    refused = check_request(req, body)
    if refused:
        return refused
    model = body["model"]
    req.note(model=model)
    refused = req.gate(errors(request_id, model))
    if refused:
        return refused
    return req.answer(complete(req, body, request_id))


def complete(req: Request, body: dict, request_id: str) -> Reply:
    started = time.monotonic()
    messages = body["messages"]
    model = body["model"]
    js = body["response_format"]["json_schema"]
    schema_ = js["schema"]
    texts = [_text_of(m.get("content")) for m in messages]
    seed = hashlib.sha256("\x1e".join(texts).encode()).hexdigest()
    user_texts = [_text_of(m.get("content")) for m in messages if m.get("role") == "user"]
    prompt_tokens = sum(tokens(t) + 4 for t in texts) + 3
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    fault = req.fault.kind if req.fault is not None else None
    choices = []
    completion_tokens = 0
    for index in range(body.get("n") or 1):
        value = strict.generate(schema_, f"{seed}:{index}", user_texts[-1] if user_texts else "")
        content: str | None = json.dumps(value, separators=(",", ":"))
        refusal = None
        finish = "stop"
        if fault == "schema_mismatch":
            content = json.dumps(strict.mismatch(value, schema_), separators=(",", ":"))
        elif fault == "refusal":
            content, refusal = None, REFUSAL
        elif fault == "content_filter":
            content, finish = None, "content_filter"
        elif fault == "length":
            content, finish = content[: max(1, len(content) // 2)], "length"
        if content is not None and limit is not None and tokens(content) > limit:
            content, finish = content[: limit * 4], "length"
        used = tokens(content or refusal or "")
        if finish == "length" and limit is not None:
            used = limit
        completion_tokens += used
        choices.append({
            "index": index,
            "message": {"role": "assistant", "content": content, "refusal": refusal, "annotations": []},
            "logprobs": None,
            "finish_reason": finish,
        })
    req.note(prompt_tokens=prompt_tokens, completion_tokens=completion_tokens, finish_reason=choices[0]["finish_reason"])
    if fault == "malformed":
        return Reply(200, b'{"id": "chatcmpl-' + uuid.uuid4().hex.encode() + b'", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assist', "application/json", [("x-request-id", request_id)])
    payload = {
        "id": "chatcmpl-" + uuid.uuid4().hex[:29],
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": choices,
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
        },
        "service_tier": "default",
        "system_fingerprint": "fp_standin",
    }
    req.latency()
    headers = [
        ("x-request-id", request_id),
        ("openai-processing-ms", str(int((time.monotonic() - started) * 1000) + int(req.state.latency.get("openai", 0) * 1000))),
        ("openai-version", "2020-10-01"),
        ("x-ratelimit-limit-requests", str(RPM_LIMIT)),
        ("x-ratelimit-remaining-requests", str(RPM_LIMIT - 1)),
        ("x-ratelimit-reset-requests", "6ms"),
        ("x-ratelimit-limit-tokens", str(TPM_LIMIT)),
        ("x-ratelimit-remaining-tokens", str(TPM_LIMIT - prompt_tokens - completion_tokens)),
        ("x-ratelimit-reset-tokens", "0s"),
    ]
    return json_reply(200, payload, headers)


def handle_models(req: Request) -> Reply:
    """`GET /v1/models` and `GET /v1/models/{model}`: what a key check (`check-config --connect`) reads."""
    if req.method != "GET":
        req.violation("method", f"{req.method} on the models list", "provider")
        return _error(405, f"Invalid method for URL ({req.method} {req.path})", "invalid_request_error")
    refused = _authorize(req)
    if refused:
        return refused
    patterns = req.state.config.get("openai_models") or []
    models = [{"id": m, "object": "model", "created": 1715367049, "owned_by": "system"} for m in LISTED_MODELS if _model_allowed(m, patterns)]
    models += [{"id": p, "object": "model", "created": 1715367049, "owned_by": "system"} for p in patterns if not p.endswith("*") and p not in LISTED_MODELS]
    name = req.match.group("model") if req.match and req.match.groupdict().get("model") else None
    refused = req.gate(errors("req_" + uuid.uuid4().hex))
    if refused:
        return refused
    if name is None:
        return req.answer(json_reply(200, {"object": "list", "data": models}))
    if not _model_allowed(name, patterns):
        return _error(404, f"The model '{name}' does not exist", "invalid_request_error", "model_not_found", "model")
    return req.answer(json_reply(200, {"id": name, "object": "model", "created": 1715367049, "owned_by": "system"}))
