# shellcheck shell=sh
# Helpers shared by deploy/quick-validation.sh and deploy/smoke-obs.sh (sourced, not run).
# POSIX sh, curl and standard tools only.

# Every check prints one line: PASS name: detail / FAIL name: detail / SKIP name: reason.
v_passed=0
v_failed=0
v_skipped=0
pass() { printf 'PASS %s: %s\n' "$1" "$2"; v_passed=$((v_passed + 1)); }
fail() { printf 'FAIL %s: %s\n' "$1" "$2"; v_failed=$((v_failed + 1)); }
skip() { printf 'SKIP %s: %s\n' "$1" "$2"; v_skipped=$((v_skipped + 1)); }

# v_finish SCRIPT: the summary line, and the exit status (1 when any check failed).
v_finish() {
    printf '%s: %d passed, %d failed, %d skipped\n' "$1" "$v_passed" "$v_failed" "$v_skipped"
    [ "$v_failed" -eq 0 ]
}

# v_init SCRIPT: checks the common inputs and makes a private folder for responses.
v_init() {
    if [ -z "${BASE:-}" ]; then
        printf '%s: BASE is required, e.g. BASE=https://otto-staging.fly.dev %s\n' "$1" "$0" >&2
        exit 2
    fi
    case $BASE in
        http://* | https://*) ;;
        *) printf '%s: BASE must start with http:// or https:// (got %s)\n' "$1" "$BASE" >&2; exit 2 ;;
    esac
    command -v curl >/dev/null 2>&1 || { printf '%s: curl is required\n' "$1" >&2; exit 2; }
    BASE=${BASE%/}
    CURL_TIMEOUT=${CURL_TIMEOUT:-10}
    v_dir=$(mktemp -d "${TMPDIR:-/tmp}/otto-validate.XXXXXX")
    trap 'rm -rf "$v_dir"' EXIT
    trap 'rm -rf "$v_dir"; exit 130' INT TERM
    printf '%s against %s\n' "$1" "$BASE"
}

# http KEY METHOD PATH [curl options...]: one request to $BASE$PATH. The response is kept
# under KEY (see header and body); sets HTTP_STATUS (000 when no answer), HTTP_TIME
# (seconds, decimal) and HTTP_ERROR (curl's message when there was no answer).
# Redirects are not followed, so an http:// BASE that Fly redirects shows up as 301.
http() {
    _key=$1 _method=$2 _path=$3
    shift 3
    _out=$(curl -sS -X "$_method" -o "$v_dir/$_key.body" -D "$v_dir/$_key.head" \
        --max-time "$CURL_TIMEOUT" -w '%{http_code} %{time_total}' "$@" "$BASE$_path" \
        2>"$v_dir/$_key.err") || true
    HTTP_STATUS=${_out%% *}
    HTTP_TIME=${_out#* }
    [ -n "$HTTP_STATUS" ] || HTTP_STATUS=000
    [ "$HTTP_TIME" != "$_out" ] || HTTP_TIME=0
    HTTP_ERROR=$(head -n 1 "$v_dir/$_key.err" 2>/dev/null)
    [ -f "$v_dir/$_key.head" ] || : >"$v_dir/$_key.head"
    [ -f "$v_dir/$_key.body" ] || : >"$v_dir/$_key.body"
}

# header KEY NAME: the value of response header NAME (case-insensitive; last one wins).
header() {
    tr -d '\r' <"$v_dir/$1.head" | grep -i "^$2:" | tail -n 1 | sed 's/^[^:]*:[[:space:]]*//; s/[[:space:]]*$//'
}

# has_header KEY NAME: whether the response carried header NAME at all.
has_header() {
    tr -d '\r' <"$v_dir/$1.head" | grep -qi "^$2:"
}

# body KEY: the response body.
body() { cat "$v_dir/$1.body"; }

# body_matches KEY ERE: whether the body matches the extended regular expression.
body_matches() { grep -Eq -- "$2" "$v_dir/$1.body"; }

# json_string KEY FIELD: the first string value of "FIELD" in the body (no jq needed).
json_string() {
    tr -d '\n' <"$v_dir/$1.body" | sed -n "s/.*\"$2\"[[:space:]]*:[[:space:]]*\"\([^\"]*\)\".*/\1/p" | head -n 1
}

# json_bool KEY FIELD: true, false, or nothing when "FIELD" is not a boolean of the body.
json_bool() {
    tr -d '\n' <"$v_dir/$1.body" | grep -Eo "\"$2\"[[:space:]]*:[[:space:]]*(true|false)" | head -n 1 |
        sed 's/.*:[[:space:]]*//'
}

# json_number KEY FIELD: the first number value of "FIELD" in the body.
json_number() {
    tr -d '\n' <"$v_dir/$1.body" | grep -Eo "\"$2\"[[:space:]]*:[[:space:]]*-?[0-9][0-9.eE+-]*" | head -n 1 |
        sed 's/.*:[[:space:]]*//'
}

# describe: " (HTTP 503, 0.120s)" or " (no answer: curl's error)" for failure details.
describe() {
    if [ "$HTTP_STATUS" = 000 ]; then
        printf 'no answer: %s' "${HTTP_ERROR:-connection failed}"
    else
        printf 'HTTP %s, %ss' "$HTTP_STATUS" "$HTTP_TIME"
    fi
}

# ms SECONDS: whole milliseconds of a decimal number of seconds.
ms() { awk -v t="$1" 'BEGIN { printf "%d", t * 1000 + 0.5 }'; }

# random_hex N: 2N random hex digits.
random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

# valid_request_id VALUE: 1 to 128 characters of [A-Za-z0-9._-] (DESIGN.md).
valid_request_id() {
    printf '%s' "$1" | grep -Eq '^[A-Za-z0-9._-]{1,128}$'
}

# is_problem KEY: the response is application/problem+json (RFC 9457).
is_problem() {
    header "$1" content-type | grep -qi '^application/problem+json'
}

# base_is_loopback: whether the server sees this script's requests as loopback ones.
# BASE_LOOPBACK=yes|no overrides the guess from BASE's host (localhost, 127.0.0.0/8,
# ::1), e.g. `fly proxy` makes BASE localhost while the server sees a private address.
base_is_loopback() {
    case ${BASE_LOOPBACK:-auto} in
        yes | true | 1) return 0 ;;
        no | false | 0) return 1 ;;
    esac
    _host=$(printf '%s' "$BASE" | sed -e 's|^[A-Za-z][A-Za-z0-9+.-]*://||' -e 's|/.*$||' -e 's|^.*@||')
    case $_host in
        \[*) _host=${_host#\[}; _host=${_host%%\]*} ;;
        *) _host=${_host%%:*} ;;
    esac
    case $_host in
        localhost | *.localhost | 127.* | ::1 | 0:0:0:0:0:0:0:1) return 0 ;;
        *) return 1 ;;
    esac
}
