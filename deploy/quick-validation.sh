#!/bin/sh
# Quick validation of a deployed otto-api: one PASS/FAIL/SKIP line per check, a summary
# line, exit 1 when any check failed (2 on bad usage). POSIX sh + curl (+ openssl for the
# signed webhook); no Swift build, no jq.
#
#   BASE=https://otto-staging.fly.dev deploy/quick-validation.sh
#   make validate BASE=https://otto-staging.fly.dev
#
# Inputs (environment):
#   BASE                the deployed URL (required)
#   ALLOWED_ORIGIN      an origin listed in the deployment's ALLOWED_ORIGINS; without it
#                       both CORS checks are skipped (a refused origin alone cannot tell
#                       a working CORS from none)
#   TEST_TENANT_ID      a test tenant's id (UUID) and
#   TWILIO_AUTH_TOKEN   the deployment's Twilio auth token: together they send one signed
#                       test webhook (it stores a test call for that tenant); otherwise an
#                       unsigned webhook must be refused
#   TWILIO_ACCOUNT_SID  AccountSid of the test webhook (default: AC followed by 32 zeros)
#   WEBHOOK_BASE_URL    the URL the deployment signs against, its PUBLIC_BASE_URL
#                       (default: BASE)
#   INTERNAL_API_TOKEN  accepted for symmetry with smoke-obs.sh; not needed here
#   REFUSED_ORIGIN      an origin that must be refused (default: https://cors-refused.invalid)
#   API_PATH            a rate-limited /v1 route (default: /v1/me)
#   LATENCY_REQUESTS    /health requests of the latency check (default: 10)
#   LATENCY_LIMIT_MS    the slowest of them must answer within this (default: 1000)
#   READY_LIMIT_MS      /ready must answer within this (default: 2000)
#   CURL_TIMEOUT        seconds per request (default: 10)
set -u

case ${1:-} in
    -h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=deploy/validate-lib.sh
. "$here/validate-lib.sh"
v_init quick-validation

REFUSED_ORIGIN=${REFUSED_ORIGIN:-https://cors-refused.invalid}
API_PATH=${API_PATH:-/v1/me}
LATENCY_REQUESTS=${LATENCY_REQUESTS:-10}
LATENCY_LIMIT_MS=${LATENCY_LIMIT_MS:-1000}
READY_LIMIT_MS=${READY_LIMIT_MS:-2000}

# --- health: 200 {"status":"healthy","timestamp":…,"service":"otto-api"}
http health GET /health
if [ "$HTTP_STATUS" != 200 ]; then
    hint=""
    case $HTTP_STATUS in 301 | 302 | 307 | 308) hint=" (redirected to $(header health location): use that URL as BASE)" ;; esac
    fail health "GET /health: $(describe)$hint"
elif [ "$(json_string health status)" != healthy ] || [ "$(json_string health service)" != otto-api ]; then
    fail health "GET /health answered 200 but not {\"status\":\"healthy\",\"service\":\"otto-api\"}: $(body health | head -c 200)"
else
    pass health "200 healthy in ${HTTP_TIME}s"
fi

# --- readiness: 200 {"ready":true,"components":{…}} within READY_LIMIT_MS
http ready GET /ready
ready_ms=$(ms "$HTTP_TIME")
ready=$(json_bool ready ready)
down=$(tr -d '\n' <"$v_dir/ready.body" | grep -Eo '"[a-z_]+"[[:space:]]*:[[:space:]]*false' |
    sed 's/"\([a-z_]*\)".*/\1/' | grep -v '^ready$' | tr '\n' ' ' | sed 's/ *$//')
if [ "$HTTP_STATUS" = 200 ] && [ "$ready" = true ]; then
    if [ "$ready_ms" -gt "$READY_LIMIT_MS" ]; then
        fail readiness "ready, but /ready took ${ready_ms} ms (limit ${READY_LIMIT_MS} ms)"
    else
        pass readiness "200 ready in ${ready_ms} ms"
    fi
elif [ "$HTTP_STATUS" = 503 ]; then
    fail readiness "503 not ready; components down: ${down:-unknown} (see DEPLOYMENT_RUNBOOK.md)"
else
    fail readiness "GET /ready: $(describe): $(body ready | head -c 200)"
fi

# --- database integration: /ready's database component
case $(json_bool ready database) in
    true) pass database "readiness component database is true" ;;
    false) fail database "readiness component database is false (PostgreSQL unreachable or failing)" ;;
    *) fail database "GET /ready lists no database component ($(describe))" ;;
esac

# --- redis and workers: reported when this deployment configures them
case $(json_bool ready redis) in
    true) pass redis "readiness component redis is true" ;;
    false) fail redis "readiness component redis is false (see docs/deploy/redis.md)" ;;
    *) skip redis "no Redis configured on this instance (no redis component)" ;;
esac
case $(json_bool ready celery_workers) in
    true) pass workers "readiness component celery_workers is true (a worker heartbeat is live)" ;;
    false) fail workers "readiness component celery_workers is false: no live worker heartbeat" ;;
    *) skip workers "ENABLE_CELERY is not true on this instance (no celery_workers component)" ;;
esac

# --- observability: X-Request-ID echoed, errors as problem+json carrying it
rid="qv-$(random_hex 8)"
http rid GET /health -H "X-Request-ID: $rid"
got=$(header rid x-request-id)
if [ "$got" = "$rid" ]; then
    pass request-id "X-Request-ID $rid echoed"
else
    fail request-id "sent X-Request-ID $rid, got '${got:-none}' ($(describe))"
fi

missing="/does-not-exist-$(random_hex 4)"
rid="qv-$(random_hex 8)"
http problem GET "$missing" -H "X-Request-ID: $rid"
if [ "$HTTP_STATUS" = 404 ] && is_problem problem && [ "$(json_string problem request_id)" = "$rid" ]; then
    pass problem-json "GET $missing: 404 application/problem+json with request_id"
else
    fail problem-json "GET $missing: expected 404 application/problem+json with request_id $rid; got $(describe), content-type '$(header problem content-type)', request_id '$(json_string problem request_id)'"
fi

# --- CORS: a preflight from an allowed origin is echoed, a refused origin gets nothing. An
# API without CORS also gives a refused origin nothing, so the refusal passes only when the
# allowed origin was echoed in the same run.
cors_allowed=no
if [ -n "${ALLOWED_ORIGIN:-}" ]; then
    http cors_ok OPTIONS "$API_PATH" -H "Origin: $ALLOWED_ORIGIN" \
        -H 'Access-Control-Request-Method: GET' -H 'Access-Control-Request-Headers: authorization'
    acao=$(header cors_ok access-control-allow-origin)
    if [ "$acao" = "$ALLOWED_ORIGIN" ]; then
        cors_allowed=yes
        pass cors-allowed "preflight from $ALLOWED_ORIGIN echoed in Access-Control-Allow-Origin"
    else
        fail cors-allowed "preflight OPTIONS $API_PATH from $ALLOWED_ORIGIN: Access-Control-Allow-Origin '${acao:-none}' ($(describe))"
    fi
else
    skip cors-allowed "ALLOWED_ORIGIN not set"
fi
http cors_no OPTIONS "$API_PATH" -H "Origin: $REFUSED_ORIGIN" \
    -H 'Access-Control-Request-Method: GET' -H 'Access-Control-Request-Headers: authorization'
acao=$(header cors_no access-control-allow-origin)
if [ "$HTTP_STATUS" = 000 ]; then
    fail cors-refused "preflight OPTIONS $API_PATH: $(describe)"
elif [ -n "$acao" ]; then
    fail cors-refused "a refused origin $REFUSED_ORIGIN got Access-Control-Allow-Origin '$acao'"
elif [ "$cors_allowed" = yes ]; then
    pass cors-refused "no Access-Control-Allow-Origin for $REFUSED_ORIGIN (HTTP $HTTP_STATUS), while $ALLOWED_ORIGIN got one"
elif [ -z "${ALLOWED_ORIGIN:-}" ]; then
    skip cors-refused "no Access-Control-Allow-Origin for $REFUSED_ORIGIN, but without ALLOWED_ORIGIN that cannot be told from an API without CORS"
else
    fail cors-refused "no Access-Control-Allow-Origin for $REFUSED_ORIGIN, nor for the allowed $ALLOWED_ORIGIN: CORS answers no origin at all"
fi

# --- rate limiting: both header families on a limited route, whatever the status
http ratelimit GET "$API_PATH"
absent=""
for name in RateLimit-Policy RateLimit X-RateLimit-Limit X-RateLimit-Remaining X-RateLimit-Reset; do
    has_header ratelimit "$name" || absent="$absent $name"
done
if [ "$HTTP_STATUS" = 000 ]; then
    fail rate-limit "GET $API_PATH: $(describe)"
elif [ -z "$absent" ]; then
    pass rate-limit "GET $API_PATH (HTTP $HTTP_STATUS): RateLimit-Policy, RateLimit, X-RateLimit-* present (RateLimit: $(header ratelimit ratelimit))"
else
    fail rate-limit "GET $API_PATH (HTTP $HTTP_STATUS) lacks:$absent"
fi

# --- webhook integration
# Twilio signs the full URL followed by every POST parameter sorted by name, each as
# name+value, with HMAC-SHA1 keyed by the auth token, base64-encoded. The parameters
# below are written in that order: AccountSid, CallSid, CallStatus, Direction, From, To.
webhook_signature() { # webhook_signature KEY URL → base64 signature
    printf '%s' "$2AccountSid${account}CallSid${call_sid}CallStatus${call_status}Direction${direction}From${from}To${to}" |
        openssl dgst -sha1 -hmac "$1" -binary | openssl base64 -A
}
post_webhook() { # post_webhook KEY PATH SIGNATURE
    http "$1" POST "$2" -H "X-Twilio-Signature: $3" \
        --data-urlencode "AccountSid=$account" --data-urlencode "CallSid=$call_sid" \
        --data-urlencode "CallStatus=$call_status" --data-urlencode "Direction=$direction" \
        --data-urlencode "From=$from" --data-urlencode "To=$to"
}
account=${TWILIO_ACCOUNT_SID:-AC00000000000000000000000000000000}
call_sid="CA$(random_hex 16)"
call_status=completed
direction=inbound
from=+15005550006
to=+15005550001

# check_refusal NAME KEY WHAT: a webhook without a valid signature must get 401 or 403
# problem+json. 404 fails: the route is missing, or the tenant is looked up before the
# signature is verified (which tells strangers which tenant ids exist). 429 fails: the
# rate limiter answered, so the signature check was not exercised.
check_refusal() {
    case $HTTP_STATUS in
        401 | 403)
            if is_problem "$2"; then
                pass "$1" "$3: refused (HTTP $HTTP_STATUS, problem+json)"
            else
                fail "$1" "$3: refused (HTTP $HTTP_STATUS) but not as application/problem+json"
            fi ;;
        404) fail "$1" "$3: 404 (webhook route missing, or the tenant is looked up before the signature is checked)" ;;
        429) fail "$1" "$3: rate limited (429), so the signature check was not exercised; retry later" ;;
        *) fail "$1" "$3: expected 401 or 403, got $(describe)" ;;
    esac
}

if [ -n "${TEST_TENANT_ID:-}" ] && [ -n "${TWILIO_AUTH_TOKEN:-}" ]; then
    if ! command -v openssl >/dev/null 2>&1; then
        fail webhook-signed "openssl is required to sign the test webhook"
    else
        path="/webhooks/twilio/$TEST_TENANT_ID"
        url="${WEBHOOK_BASE_URL:-$BASE}"
        url="${url%/}$path"
        # The token is an argument of openssl for the moment it runs (visible to ps on
        # this machine); run the script where that is acceptable (a CI runner, a laptop).
        post_webhook signed "$path" "$(webhook_signature "$TWILIO_AUTH_TOKEN" "$url")"
        case $HTTP_STATUS in
            2??) pass webhook-signed "signed test webhook $call_sid to tenant $TEST_TENANT_ID accepted (HTTP $HTTP_STATUS)" ;;
            *) fail webhook-signed "signed test webhook to $path: $(describe) $(body signed | head -c 200) (does $url match the deployment's PUBLIC_BASE_URL? set WEBHOOK_BASE_URL)" ;;
        esac
        post_webhook forged "$path" "$(webhook_signature "not-$TWILIO_AUTH_TOKEN" "$url")"
        check_refusal webhook-forged forged "forged signature to $path"
    fi
else
    tenant=${TEST_TENANT_ID:-00000000-0000-4000-8000-000000000000}
    path="/webhooks/twilio/$tenant"
    http unsigned POST "$path" --data-urlencode "CallSid=$call_sid" --data-urlencode "CallStatus=$call_status"
    check_refusal webhook-unsigned unsigned "unsigned webhook to $path (set TEST_TENANT_ID and TWILIO_AUTH_TOKEN for a signed one)"
fi

# --- latency: LATENCY_REQUESTS sequential GET /health, each within LATENCY_LIMIT_MS
slowest=0
total=0
bad=""
i=0
while [ "$i" -lt "$LATENCY_REQUESTS" ]; do
    i=$((i + 1))
    http latency GET /health
    t=$(ms "$HTTP_TIME")
    total=$((total + t))
    [ "$t" -le "$slowest" ] || slowest=$t
    if [ "$HTTP_STATUS" != 200 ]; then
        bad="$bad #$i:$(describe)"
    elif [ "$t" -gt "$LATENCY_LIMIT_MS" ]; then
        bad="$bad #$i:${t}ms"
    fi
done
if [ "$LATENCY_REQUESTS" -le 0 ]; then
    skip latency "LATENCY_REQUESTS is 0"
elif [ -z "$bad" ]; then
    pass latency "$LATENCY_REQUESTS x GET /health: slowest ${slowest} ms, mean $((total / LATENCY_REQUESTS)) ms (limit ${LATENCY_LIMIT_MS} ms)"
else
    fail latency "$LATENCY_REQUESTS x GET /health, limit ${LATENCY_LIMIT_MS} ms: slowest ${slowest} ms; failed:$bad"
fi

v_finish quick-validation
