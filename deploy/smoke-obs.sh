#!/bin/sh
# Observability smoke test of a running otto-api: request ids, the JSON error shape, and
# the internal-only rule of /metrics and /internal/worker/heartbeat. One PASS/FAIL/SKIP
# line per check, a summary line, exit 1 when any check failed (2 on bad usage).
# POSIX sh + curl; no jq.
#
#   BASE=https://otto-staging.fly.dev INTERNAL_API_TOKEN=... deploy/smoke-obs.sh
#   BASE=https://otto-staging.fly.dev make smoke:obs
#
# Inputs (environment):
#   BASE                the otto-api URL (required)
#   INTERNAL_API_TOKEN  the deployment's internal token: with it, /metrics must answer
#                       Prometheus text; without it that check is skipped
#   BASE_LOOPBACK       yes or no: whether otto-api sees these requests as loopback ones
#                       (default: guessed from BASE; say no behind `fly proxy`)
#   CURL_TIMEOUT        seconds per request (default: 10)
#
# Internal-only rule (DESIGN.md): /metrics and /internal/* answer loopback callers, or
# callers with `Authorization: Bearer $INTERNAL_API_TOKEN`; a request that carries
# Forwarded, X-Forwarded-For, X-Real-IP or Fly-Client-IP is never loopback; a refusal is
# 403. So when BASE is not loopback, a request without the token must get 403; when BASE is
# loopback, a request without the token is allowed by design, and the refusal is tested by
# adding the proxy headers as a proxy would. The token checks always carry X-Forwarded-For,
# so a wrong INTERNAL_API_TOKEN fails them even against a loopback BASE.
set -u

case ${1:-} in
    -h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=deploy/validate-lib.sh
. "$here/validate-lib.sh"
v_init smoke-obs

# --- request id round trip
rid="smoke-$(random_hex 8)"
http rid_echo GET /health -H "X-Request-ID: $rid"
got=$(header rid_echo x-request-id)
if [ "$got" = "$rid" ]; then
    pass request-id-echo "X-Request-ID $rid came back"
else
    fail request-id-echo "sent $rid, got '${got:-none}' ($(describe))"
fi

http rid_new GET /health
got=$(header rid_new x-request-id)
if valid_request_id "$got"; then
    pass request-id-generated "a request without X-Request-ID got '$got'"
else
    fail request-id-generated "a request without X-Request-ID got '${got:-none}' ($(describe))"
fi

bad_rid="not valid/$(random_hex 4)"
http rid_bad GET /health -H "X-Request-ID: $bad_rid"
got=$(header rid_bad x-request-id)
if [ "$got" != "$bad_rid" ] && valid_request_id "$got"; then
    pass request-id-replaced "an invalid X-Request-ID was replaced by '$got'"
else
    fail request-id-replaced "sent invalid '$bad_rid', got '${got:-none}' ($(describe))"
fi

# --- JSON error shape: RFC 9457 problem+json with type, title, status and request_id
rid="smoke-$(random_hex 8)"
missing="/does-not-exist-$(random_hex 4)"
http err GET "$missing" -H "X-Request-ID: $rid"
problems=""
[ "$HTTP_STATUS" = 404 ] || problems="$problems status $(describe) (want 404);"
is_problem err || problems="$problems content-type '$(header err content-type)';"
[ -n "$(json_string err type)" ] || problems="$problems no \"type\";"
[ -n "$(json_string err title)" ] || problems="$problems no \"title\";"
[ "$(json_number err status)" = 404 ] || problems="$problems \"status\" is '$(json_number err status)';"
[ "$(json_string err request_id)" = "$rid" ] || problems="$problems \"request_id\" is '$(json_string err request_id)' (want $rid);"
[ "$(header err x-request-id)" = "$rid" ] || problems="$problems X-Request-ID header '$(header err x-request-id)';"
if [ -z "$problems" ]; then
    pass error-shape "GET $missing: 404 application/problem+json with type, title, status, request_id = X-Request-ID"
else
    fail error-shape "GET $missing:$problems body: $(body err | head -c 200)"
fi

# --- /metrics with the internal token
# Sent as an outside request would arrive: with a proxy header (`X-Forwarded-For`, which Fly's
# edge adds anyway), so a loopback BASE does not exempt it and the token itself is checked.
if [ -n "${INTERNAL_API_TOKEN:-}" ]; then
    # The token travels in a header file, not on curl's command line (ps would show it).
    printf 'Authorization: Bearer %s\nX-Forwarded-For: 203.0.113.9\n' "$INTERNAL_API_TOKEN" >"$v_dir/auth.header"
    http metrics GET /metrics -H "@$v_dir/auth.header"
    type=$(header metrics content-type)
    if [ "$HTTP_STATUS" != 200 ]; then
        fail metrics-token "GET /metrics with the internal token: $(describe)"
    elif ! printf '%s' "$type" | grep -Eqi '^(text/plain|application/openmetrics-text)'; then
        fail metrics-token "GET /metrics: content-type '$type' is not Prometheus text"
    elif ! body_matches metrics '^http_requests_total[{ ]'; then
        fail metrics-token "GET /metrics: 200 but no http_requests_total series"
    else
        pass metrics-token "GET /metrics with the internal token: 200 Prometheus text with http_requests_total"
    fi
    http heartbeat GET /internal/worker/heartbeat -H "@$v_dir/auth.header"
    case $HTTP_STATUS in
        200 | 503) pass heartbeat-token "GET /internal/worker/heartbeat with the internal token: HTTP $HTTP_STATUS" ;;
        *) fail heartbeat-token "GET /internal/worker/heartbeat with the internal token: $(describe)" ;;
    esac
else
    skip metrics-token "INTERNAL_API_TOKEN not set"
fi

# --- internal routes refused without the token
# refused NAME PATH [curl options]: the request must get 403 application/problem+json.
refused() {
    _name=$1 _path=$2
    shift 2
    http refused GET "$_path" "$@"
    if [ "$HTTP_STATUS" = 403 ] && is_problem refused; then
        pass "$_name" "GET $_path refused: 403 problem+json"
    elif [ "$HTTP_STATUS" = 403 ]; then
        fail "$_name" "GET $_path: 403 but content-type '$(header refused content-type)', not application/problem+json"
    else
        fail "$_name" "GET $_path: expected 403, got $(describe)"
    fi
}

if base_is_loopback; then
    http loopback GET /metrics
    if [ "$HTTP_STATUS" = 200 ]; then
        pass metrics-loopback "GET /metrics from loopback without a token: 200 (allowed by design)"
    else
        fail metrics-loopback "GET /metrics from loopback without a token: expected 200, got $(describe)"
    fi
    refused metrics-refused-forwarded /metrics -H 'X-Forwarded-For: 203.0.113.9'
    refused metrics-refused-fly-client-ip /metrics -H 'Fly-Client-IP: 203.0.113.9'
    refused metrics-refused-forwarded-rfc7239 /metrics -H 'Forwarded: for=203.0.113.9'
    refused metrics-refused-x-real-ip /metrics -H 'X-Real-IP: 203.0.113.9'
    refused heartbeat-refused-forwarded /internal/worker/heartbeat -H 'X-Forwarded-For: 203.0.113.9'
else
    refused metrics-refused /metrics
    refused metrics-refused-wrong-token /metrics -H "Authorization: Bearer wrong-$(random_hex 8)"
    refused heartbeat-refused /internal/worker/heartbeat
fi

v_finish smoke-obs
