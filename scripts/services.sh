#!/usr/bin/env bash
# Local services for Otto development and tests: a private PostgreSQL cluster,
# a private Redis and a TLS-only Redis, all on 127.0.0.1 and on ports of their own.
#
#   scripts/services.sh install   install the Debian packages that are missing (root)
#   scripts/services.sh start     start all three (idempotent; keeps what already answers)
#   scripts/services.sh stop      stop all three by pid and wait for them (idempotent)
#   scripts/services.sh restart   stop, then start
#   scripts/services.sh status    one line per service; exit 0 only if all three answer
#   scripts/services.sh env       `export NAME=value` lines: eval "$(scripts/services.sh env)"
#   scripts/services.sh psql ...  psql on otto_dev as otto (extra arguments go to psql)
#   scripts/services.sh reset-test  drop and recreate the empty test database (make test does it)
#   scripts/services.sh clean     stop, then delete all local data, certificates and logs
#
# Ports: OTTO_PG_PORT (25432), OTTO_REDIS_PORT (26379), OTTO_REDIS_TLS_PORT (26390), below
# Linux's ephemeral range (32768-60999) so that no client socket can take one first.
# OTTO_SERVICES_TIMEOUT (60) bounds every wait, in seconds.
# State lives in <repo>/.local/ (git-ignored). When the postgres user cannot reach that
# folder (a clone under /root, say), the cluster lives in /var/lib/otto-dev/<name>-<hash>/pg
# and .local/pg is a symlink to it.
set -euo pipefail

SELF=$(readlink -f -- "${BASH_SOURCE[0]}")
ROOT=$(cd -- "$(dirname -- "$SELF")/.." && pwd -P)
LOCAL="$ROOT/.local"

PG_PORT=${OTTO_PG_PORT:-25432}
REDIS_PORT=${OTTO_REDIS_PORT:-26379}
REDIS_TLS_PORT=${OTTO_REDIS_TLS_PORT:-26390}
TIMEOUT=${OTTO_SERVICES_TIMEOUT:-60}

# Credentials (development only).
APP_USER=otto
APP_PASSWORD=otto
ADMIN_USER=otto_admin
ADMIN_PASSWORD=otto_admin
DEV_DB=otto_dev
TEST_DB=otto_test

PACKAGES=(libpq-dev libhiredis-dev postgresql redis-server redis-tools openssl pkg-config)

HASH=$(printf '%s' "$ROOT" | sha256sum | cut -c1-10)
EXT_ROOT=/var/lib/otto-dev
EXT_BASE="$EXT_ROOT/$(basename -- "$ROOT" | tr -c 'A-Za-z0-9._\n-' '_')-$HASH"

REDIS_DIR="$LOCAL/redis"
REDIS_PIDFILE="$LOCAL/redis.pid"
REDIS_LOG="$LOCAL/redis.log"
REDIS_TLS_DIR="$LOCAL/redis-tls"
REDIS_TLS_PIDFILE="$LOCAL/redis-tls.pid"
REDIS_TLS_LOG="$LOCAL/redis-tls.log"
TLS_DIR="$LOCAL/tls"
TLS_CA="$TLS_DIR/ca.pem"
TLS_CA_KEY="$TLS_DIR/ca.key"
TLS_CERT="$TLS_DIR/server.pem"
TLS_KEY="$TLS_DIR/server.key"

# libpq and redis-cli settings from the caller's environment must not redirect our
# own administrative connections.
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep -E '^PG[A-Z]+$' || true)
unset REDISCLI_AUTH

if [ "$(id -u)" = 0 ]; then IS_ROOT=1; PG_OS_USER=postgres; else IS_ROOT=0; PG_OS_USER=$(id -un); fi

say() { printf 'services: %s\n' "$*"; }
warn() { printf 'services: %s\n' "$*" >&2; }
die() { printf 'services: error: %s\n' "$*" >&2; exit 1; }

check_port() {
    local name=$1 value=$2
    if ! [[ $value =~ ^[1-9][0-9]{0,4}$ ]] || ((value > 65535)); then
        die "$name must be a port number, not '$value'"
    fi
}
check_port OTTO_PG_PORT "$PG_PORT"
check_port OTTO_REDIS_PORT "$REDIS_PORT"
check_port OTTO_REDIS_TLS_PORT "$REDIS_TLS_PORT"
if [ "$PG_PORT" = "$REDIS_PORT" ] || [ "$PG_PORT" = "$REDIS_TLS_PORT" ] || [ "$REDIS_PORT" = "$REDIS_TLS_PORT" ]; then
    die "OTTO_PG_PORT, OTTO_REDIS_PORT and OTTO_REDIS_TLS_PORT must differ"
fi
if ! [[ $TIMEOUT =~ ^[1-9][0-9]{0,5}$ ]]; then
    die "OTTO_SERVICES_TIMEOUT must be a positive number of seconds"
fi

# ---------------------------------------------------------------------------------------
# Helpers

# Runs a command as the PostgreSQL OS user, from / (the caller's folder may be private).
as_pg() {
    if ((IS_ROOT)); then
        (cd / && runuser -u "$PG_OS_USER" -- "$@")
    else
        (cd / && "$@")
    fi
}

give_to_pg() {
    if ((IS_ROOT)); then chown "$PG_OS_USER:" "$@"; fi
}

# True when the pid is a live process (a zombie counts as gone: it holds no port).
pid_alive() {
    local pid=$1 state
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    state=$(sed -e 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# True when the live process runs in the given folder (servers chdir to their data dir),
# which tells our server from an unrelated process that reused a stale pid.
pid_in_dir() {
    local pid=$1 dir=$2 cwd real
    pid_alive "$pid" || return 1
    cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null) || return 1
    real=$(readlink -f -- "$dir" 2>/dev/null) || return 1
    [ "$cwd" = "$real" ]
}

wait_gone() {
    local pid=$1 end=$((SECONDS + $2))
    while pid_alive "$pid"; do
        ((SECONDS < end)) || return 1
        sleep 0.1
    done
}

wait_until() {
    local secs=$1 end
    shift
    end=$((SECONDS + secs))
    until "$@"; do
        ((SECONDS < end)) || return 1
        sleep 0.2
    done
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

port_owner() {
    if command -v ss >/dev/null 2>&1; then
        ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\(.*\)))$/\1/p' | head -n1
    fi
}

ensure_port_free() {
    local name=$1 port=$2 var=$3 owner
    if port_in_use "$port"; then
        owner=$(port_owner "$port")
        die "$name: port 127.0.0.1:$port is already taken by another process${owner:+ ($owner)}; stop it or choose another port with $var=..."
    fi
}

log_tail() {
    local file=$1
    if [ -f "$file" ]; then
        warn "last lines of $file:"
        tail -n 25 -- "$file" | sed 's/^/    /' >&2
    fi
}

need_cmd() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || die "'$c' not found: run 'scripts/services.sh install' first"
    done
}

take_lock() {
    mkdir -p -- "$LOCAL"
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$LOCAL/services.lock"
        flock -w "$((TIMEOUT * 3))" 9 || die "another 'services.sh' is still running (lock $LOCAL/services.lock)"
    fi
}

# ---------------------------------------------------------------------------------------
# install

is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

cmd_install() {
    local missing=() p log
    command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script expects Debian (12)"
    for p in "${PACKAGES[@]}"; do
        is_installed "$p" || missing+=("$p")
    done
    if ((${#missing[@]} == 0)); then
        say "all packages present (${PACKAGES[*]})"
        return 0
    fi
    if ((!IS_ROOT)); then
        warn "missing packages: ${missing[*]}"
        warn "install them as root: apt-get update && apt-get install -y ${missing[*]}"
        exit 1
    fi
    say "installing ${missing[*]}"
    log=$(mktemp)
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get update -qq >"$log" 2>&1; then
        cat -- "$log" >&2; rm -f -- "$log"; die "apt-get update failed"
    fi
    if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$log" 2>&1 </dev/null; then
        tail -n 40 -- "$log" >&2; rm -f -- "$log"; die "apt-get install failed"
    fi
    rm -f -- "$log"
    for p in "${missing[@]}"; do
        is_installed "$p" || die "package $p is still not installed"
    done
    say "installed ${missing[*]}"
}

# ---------------------------------------------------------------------------------------
# PostgreSQL

PG_BASE=""
PG_DATA=""
PG_SOCK=""
PG_LOG=""
PG_BIN=""

set_pg_paths() {
    PG_BASE=$1
    PG_DATA="$PG_BASE/data"
    PG_LOG="$PG_BASE/postgres.log"
    # A unix socket path must stay under ~107 bytes.
    if ((${#PG_BASE} + 24 <= 100)); then
        PG_SOCK="$PG_BASE/run"
    else
        PG_SOCK="/tmp/otto-pg-$HASH"
    fi
}

# Finds an existing cluster folder; returns 1 when there is none yet.
find_pg_base() {
    local link="$LOCAL/pg"
    if [ -L "$link" ]; then
        set_pg_paths "$(readlink -m -- "$link")"
    elif [ -d "$link" ]; then
        set_pg_paths "$(cd -- "$link" && pwd -P)"
    elif [ -d "$EXT_BASE/pg" ]; then
        set_pg_paths "$EXT_BASE/pg"
    else
        return 1
    fi
}

# Chooses (and creates) the cluster folder for start.
prepare_pg_base() {
    mkdir -p -- "$LOCAL"
    if find_pg_base; then
        if [ "$PG_BASE" = "$EXT_BASE/pg" ] && [ ! -e "$LOCAL/pg" ] && [ ! -L "$LOCAL/pg" ]; then
            ln -s -- "$PG_BASE" "$LOCAL/pg"
        fi
    elif ((!IS_ROOT)) || as_pg test -x "$LOCAL" 2>/dev/null; then
        set_pg_paths "$LOCAL/pg"
    else
        set_pg_paths "$EXT_BASE/pg"
        say "postgres: user '$PG_OS_USER' cannot reach $LOCAL; keeping the cluster in $PG_BASE (.local/pg links to it)"
        ln -sfn -- "$PG_BASE" "$LOCAL/pg"
    fi
    if [ "$PG_BASE" = "$EXT_BASE/pg" ]; then
        mkdir -p -- "$EXT_BASE"
        chmod 755 -- "$EXT_ROOT" "$EXT_BASE"
        printf 'PostgreSQL cluster of the Otto checkout at %s (scripts/services.sh).\n' "$ROOT" >"$EXT_BASE/README"
    fi
    mkdir -p -- "$PG_BASE" "$PG_SOCK"
    chmod 755 -- "$PG_BASE" "$PG_SOCK"
    touch -- "$PG_LOG"
    chmod 640 -- "$PG_LOG"
    give_to_pg "$PG_BASE" "$PG_SOCK" "$PG_LOG"
    as_pg test -w "$PG_BASE" -a -w "$PG_SOCK" -a -w "$PG_LOG" \
        || die "postgres: user '$PG_OS_USER' cannot write to $PG_BASE; remove .local/pg and try again"
}

find_pg_bin() {
    local want="" d major cands=()
    [ -f "$PG_DATA/PG_VERSION" ] && want=$(cat -- "$PG_DATA/PG_VERSION")
    if command -v pg_config >/dev/null 2>&1; then
        cands+=("$(pg_config --bindir 2>/dev/null || true)")
    fi
    while IFS= read -r d; do cands+=("$d"); done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -rV)
    for d in "${cands[@]}"; do
        if [ -z "$d" ] || [ ! -x "$d/initdb" ] || [ ! -x "$d/pg_ctl" ] || [ ! -x "$d/postgres" ]; then continue; fi
        if [ -n "$want" ]; then
            major=$("$d/postgres" -V 2>/dev/null | awk '{print $3}' | cut -d. -f1)
            [ "$major" = "$want" ] || continue
        fi
        PG_BIN=$d
        return 0
    done
    if [ -n "$want" ]; then
        die "postgres: no PostgreSQL $want server binaries found for the cluster in $PG_DATA (run 'scripts/services.sh install', or 'clean' to start over)"
    fi
    die "postgres: no PostgreSQL server binaries found: run 'scripts/services.sh install' first"
}

# Prints the postmaster pid when our cluster's server is alive.
pg_pid() {
    local pid
    [ -n "$PG_DATA" ] && [ -f "$PG_DATA/postmaster.pid" ] || return 1
    pid=$(head -n1 -- "$PG_DATA/postmaster.pid" 2>/dev/null) || return 1
    pid_in_dir "$pid" "$PG_DATA" || return 1
    printf '%s\n' "$pid"
}

pg_running_port() {
    sed -n 4p -- "$PG_DATA/postmaster.pid" 2>/dev/null
}

pg_ready() {
    local isready="${PG_BIN:-/usr/bin}/pg_isready"
    [ -x "$isready" ] || isready=pg_isready
    "$isready" -q -h 127.0.0.1 -p "$PG_PORT" -d postgres -t 2 >/dev/null 2>&1
}

sql_quote() { printf "'%s'" "${1//\'/\'\'}"; }

write_pg_config() {
    cat >"$PG_DATA/otto.conf" <<EOF
# Written by scripts/services.sh on every start: edits here are overwritten.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = $(sql_quote "$PG_SOCK")
fsync = off
synchronous_commit = off
full_page_writes = off
password_encryption = 'scram-sha-256'
max_connections = 200
timezone = 'UTC'
log_timezone = 'UTC'
EOF
    if ! grep -qx "include = 'otto.conf'" "$PG_DATA/postgresql.conf"; then
        printf "\n# Local settings of scripts/services.sh\ninclude = 'otto.conf'\n" >>"$PG_DATA/postgresql.conf"
    fi
    cat >"$PG_DATA/pg_hba.conf" <<'EOF'
# Written by scripts/services.sh on every start: edits here are overwritten.
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 peer map=otto
host    all       all   127.0.0.1/32  scram-sha-256
EOF
    {
        echo "# Written by scripts/services.sh on every start: edits here are overwritten."
        echo "# MAPNAME  SYSTEM-USERNAME  PG-USERNAME"
        echo "otto  $PG_OS_USER  postgres"
        ((IS_ROOT)) && echo "otto  root  postgres"
        printf '%s\n' 'otto  /^(.*)$  \1'
    } >"$PG_DATA/pg_ident.conf"
    chmod 600 -- "$PG_DATA/otto.conf" "$PG_DATA/pg_hba.conf" "$PG_DATA/pg_ident.conf"
    give_to_pg "$PG_DATA/otto.conf" "$PG_DATA/pg_hba.conf" "$PG_DATA/pg_ident.conf"
}

pg_init() {
    local locale=C
    if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then locale=C.UTF-8; fi
    if [ -d "$PG_DATA" ]; then
        # A folder without PG_VERSION is a failed initdb: start over.
        rm -rf -- "$PG_DATA"
    fi
    say "postgres: creating cluster in $PG_DATA"
    if ! as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale="$locale" \
        --auth-local=peer --auth-host=scram-sha-256 --no-instructions >>"$PG_LOG" 2>&1 </dev/null; then
        log_tail "$PG_LOG"
        die "postgres: initdb failed"
    fi
}

pg_provision() {
    local out
    if ! out=$(as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres 2>&1 <<EOF
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$APP_USER') THEN CREATE ROLE $APP_USER; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$ADMIN_USER') THEN CREATE ROLE $ADMIN_USER; END IF;
END
\$\$;
ALTER ROLE $APP_USER WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '$APP_PASSWORD';
ALTER ROLE $ADMIN_USER WITH LOGIN SUPERUSER PASSWORD '$ADMIN_PASSWORD';
SELECT 'CREATE DATABASE $DEV_DB OWNER $APP_USER' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$DEV_DB') \gexec
SELECT 'CREATE DATABASE $TEST_DB OWNER $APP_USER' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$TEST_DB') \gexec
ALTER DATABASE $DEV_DB OWNER TO $APP_USER;
ALTER DATABASE $TEST_DB OWNER TO $APP_USER;
EOF
    ); then
        printf '%s\n' "$out" >&2
        die "postgres: creating roles and databases failed"
    fi
}

pg_stop_running() {
    local pid=$1
    if ! as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t "$TIMEOUT" -s >/dev/null 2>&1 </dev/null; then
        warn "postgres: fast shutdown did not finish in ${TIMEOUT}s; sending SIGQUIT to $pid"
        kill -QUIT "$pid" 2>/dev/null || true
    fi
    if ! wait_gone "$pid" "$TIMEOUT"; then
        warn "postgres: $pid still alive; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        wait_gone "$pid" 10 || die "postgres: could not stop pid $pid"
    fi
}

# Removes lock files left by a server that is no longer running (after a reboot or a kill).
pg_clear_stale() {
    if [ -f "$PG_DATA/postmaster.pid" ]; then
        warn "postgres: removing stale $PG_DATA/postmaster.pid"
        rm -f -- "$PG_DATA/postmaster.pid"
    fi
    rm -f -- "$PG_SOCK"/.s.PGSQL.*
}

pg_start() {
    local pid running_port
    prepare_pg_base
    find_pg_bin
    if pid=$(pg_pid); then
        running_port=$(pg_running_port)
        if [ "$running_port" = "$PG_PORT" ] && pg_ready; then
            say "postgres: already running (pid $pid, 127.0.0.1:$PG_PORT)"
            pg_provision
            return 0
        fi
        if [ "$running_port" != "$PG_PORT" ]; then
            say "postgres: pid $pid runs on port ${running_port:-?}, not $PG_PORT; restarting it"
        else
            say "postgres: pid $pid is not answering on 127.0.0.1:$PG_PORT; restarting it"
        fi
        pg_stop_running "$pid"
    fi
    [ -f "$PG_DATA/PG_VERSION" ] || pg_init
    if ((IS_ROOT)) && [ "$(stat -c %U -- "$PG_DATA")" != "$PG_OS_USER" ]; then
        chown -R "$PG_OS_USER:" -- "$PG_DATA"
    fi
    pg_clear_stale
    ensure_port_free postgres "$PG_PORT" OTTO_PG_PORT
    write_pg_config
    if ! as_pg "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t "$TIMEOUT" -s >/dev/null 2>&1 </dev/null 9>&-; then
        log_tail "$PG_LOG"
        die "postgres: server did not start within ${TIMEOUT}s (log: $PG_LOG)"
    fi
    if ! wait_until "$TIMEOUT" pg_ready; then
        log_tail "$PG_LOG"
        die "postgres: server does not accept connections on 127.0.0.1:$PG_PORT (log: $PG_LOG)"
    fi
    pg_provision
    say "postgres: started (pid $(pg_pid || echo '?'), 127.0.0.1:$PG_PORT, data $PG_DATA)"
}

pg_stop() {
    local pid
    if ! find_pg_base; then
        say "postgres: not running"
        return 0
    fi
    if pid=$(pg_pid); then
        PG_BIN=""
        find_pg_bin
        pg_stop_running "$pid"
        say "postgres: stopped (pid $pid)"
    else
        [ -d "$PG_DATA" ] && pg_clear_stale
        say "postgres: not running"
    fi
}

pg_status() {
    local pid port
    if find_pg_base && pid=$(pg_pid); then
        port=$(pg_running_port)
        if [ "$port" = "$PG_PORT" ] && pg_ready; then
            printf 'postgres   running  pid %-7s 127.0.0.1:%s  data %s\n' "$pid" "$PG_PORT" "$PG_DATA"
            return 0
        fi
        printf 'postgres   NOT ANSWERING  pid %s on port %s (expected 127.0.0.1:%s)\n' "$pid" "${port:-?}" "$PG_PORT"
        return 1
    fi
    printf 'postgres   stopped\n'
    return 1
}

# ---------------------------------------------------------------------------------------
# TLS material

tls_valid() {
    [ -s "$TLS_CA" ] && [ -s "$TLS_CA_KEY" ] && [ -s "$TLS_CERT" ] && [ -s "$TLS_KEY" ] || return 1
    openssl verify -CAfile "$TLS_CA" "$TLS_CERT" >/dev/null 2>&1 || return 1
    # Renew when less than a week is left.
    openssl x509 -noout -checkend 604800 -in "$TLS_CA" >/dev/null 2>&1 || return 1
    openssl x509 -noout -checkend 604800 -in "$TLS_CERT" >/dev/null 2>&1 || return 1
    # The key must belong to the certificate.
    [ "$(openssl x509 -noout -pubkey -in "$TLS_CERT" 2>/dev/null)" = "$(openssl pkey -pubout -in "$TLS_KEY" 2>/dev/null)" ]
}

ensure_tls() {
    local tmp serial
    tls_valid && return 0
    say "tls: creating a local CA and a server certificate in $TLS_DIR"
    mkdir -p -- "$TLS_DIR"
    tmp=$(mktemp -d "$TLS_DIR/.new.XXXXXX")
    cat >"$tmp/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = Otto local development CA
[v3_ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[v3_server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
EOF
    serial="0x$(openssl rand -hex 15)"
    if ! (
        set -e
        umask 077
        openssl req -x509 -new -config "$tmp/openssl.cnf" -extensions v3_ca -newkey rsa:2048 -nodes \
            -keyout "$tmp/ca.key" -out "$tmp/ca.pem" -days 825 -sha256 -subj "/CN=Otto local development CA"
        openssl req -new -config "$tmp/openssl.cnf" -newkey rsa:2048 -nodes \
            -keyout "$tmp/server.key" -out "$tmp/server.csr" -subj "/CN=localhost"
        openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -set_serial "$serial" \
            -days 825 -sha256 -extfile "$tmp/openssl.cnf" -extensions v3_server -out "$tmp/server.pem"
    ) >"$tmp/openssl.log" 2>&1; then
        cat -- "$tmp/openssl.log" >&2
        rm -rf -- "$tmp"
        die "tls: creating certificates failed"
    fi
    chmod 600 -- "$tmp/ca.key" "$tmp/server.key"
    chmod 644 -- "$tmp/ca.pem" "$tmp/server.pem"
    mv -f -- "$tmp/ca.key" "$TLS_CA_KEY"
    mv -f -- "$tmp/ca.pem" "$TLS_CA"
    mv -f -- "$tmp/server.key" "$TLS_KEY"
    mv -f -- "$tmp/server.pem" "$TLS_CERT"
    rm -rf -- "$tmp"
    chmod 755 -- "$TLS_DIR"
}

# ---------------------------------------------------------------------------------------
# Redis (two instances: "redis" in plain text, "redis-tls" with TLS only)

# Sets R_* for the instance named $1.
redis_vars() {
    case $1 in
        redis) R_NAME=redis; R_DIR=$REDIS_DIR; R_PIDFILE=$REDIS_PIDFILE; R_LOG=$REDIS_LOG; R_PORT=$REDIS_PORT; R_VAR=OTTO_REDIS_PORT ;;
        redis-tls) R_NAME=redis-tls; R_DIR=$REDIS_TLS_DIR; R_PIDFILE=$REDIS_TLS_PIDFILE; R_LOG=$REDIS_TLS_LOG; R_PORT=$REDIS_TLS_PORT; R_VAR=OTTO_REDIS_TLS_PORT ;;
        *) die "unknown redis instance $1" ;;
    esac
}

redis_pid() {
    local pid
    [ -f "$R_PIDFILE" ] || return 1
    pid=$(head -n1 -- "$R_PIDFILE" 2>/dev/null | tr -d '[:space:]') || return 1
    pid_in_dir "$pid" "$R_DIR" || return 1
    printf '%s\n' "$pid"
}

redis_ping() {
    local reply
    if [ "$R_NAME" = redis-tls ]; then
        reply=$(timeout 5 redis-cli --tls --cacert "$TLS_CA" -h 127.0.0.1 -p "$R_PORT" ping 2>/dev/null </dev/null) || return 1
    else
        reply=$(timeout 5 redis-cli -h 127.0.0.1 -p "$R_PORT" ping 2>/dev/null </dev/null) || return 1
    fi
    [ "$reply" = PONG ]
}

# Stops the wait for a server that answers, or whose daemon already exited.
redis_up_or_dead() {
    local pid
    redis_ping && return 0
    pid=$(head -n1 -- "$R_PIDFILE" 2>/dev/null | tr -d '[:space:]') || return 1
    [ -n "$pid" ] && ! pid_alive "$pid"
}

redis_stop_pid() {
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" "$TIMEOUT"; then
        warn "$R_NAME: pid $pid did not exit in ${TIMEOUT}s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        wait_gone "$pid" 10 || die "$R_NAME: could not stop pid $pid"
    fi
    rm -f -- "$R_PIDFILE"
}

redis_start() {
    local pid args
    redis_vars "$1"
    if pid=$(redis_pid); then
        if redis_ping; then
            say "$R_NAME: already running (pid $pid, 127.0.0.1:$R_PORT)"
            return 0
        fi
        say "$R_NAME: pid $pid is not answering on 127.0.0.1:$R_PORT; restarting it"
        redis_stop_pid "$pid"
    elif [ -f "$R_PIDFILE" ]; then
        warn "$R_NAME: removing stale $R_PIDFILE"
        rm -f -- "$R_PIDFILE"
    fi
    ensure_port_free "$R_NAME" "$R_PORT" "$R_VAR"
    mkdir -p -- "$R_DIR"
    args=(--daemonize yes --pidfile "$R_PIDFILE" --dir "$R_DIR" --logfile "$R_LOG" --loglevel warning
        --save '' --supervised no --protected-mode yes)
    if [ "$R_NAME" = redis-tls ]; then
        args+=(--bind 127.0.0.1 -::1 --port 0 --tls-port "$R_PORT"
            --tls-cert-file "$TLS_CERT" --tls-key-file "$TLS_KEY" --tls-ca-cert-file "$TLS_CA"
            --tls-auth-clients no --appendonly no)
    else
        args+=(--bind 127.0.0.1 --port "$R_PORT" --appendonly yes)
    fi
    if ! redis-server "${args[@]}" >>"$R_LOG" 2>&1 </dev/null 9>&-; then
        log_tail "$R_LOG"
        die "$R_NAME: redis-server failed to start (log: $R_LOG)"
    fi
    if ! wait_until "$TIMEOUT" redis_up_or_dead || ! redis_ping; then
        log_tail "$R_LOG"
        die "$R_NAME: no PONG on 127.0.0.1:$R_PORT (server exited, or no answer within ${TIMEOUT}s; log: $R_LOG)"
    fi
    wait_until 5 redis_pid >/dev/null || true
    say "$R_NAME: started (pid $(redis_pid || echo '?'), 127.0.0.1:$R_PORT)"
}

redis_stop() {
    local pid
    redis_vars "$1"
    if pid=$(redis_pid); then
        redis_stop_pid "$pid"
        say "$R_NAME: stopped (pid $pid)"
    else
        rm -f -- "$R_PIDFILE"
        say "$R_NAME: not running"
    fi
}

redis_status() {
    local pid tls=""
    redis_vars "$1"
    [ "$R_NAME" = redis-tls ] && tls="  (TLS, CA $TLS_CA)"
    if pid=$(redis_pid); then
        if redis_ping; then
            printf '%-10s running  pid %-7s 127.0.0.1:%s%s\n' "$R_NAME" "$pid" "$R_PORT" "$tls"
            return 0
        fi
        printf '%-10s NOT ANSWERING  pid %s, no PONG on 127.0.0.1:%s\n' "$R_NAME" "$pid" "$R_PORT"
        return 1
    fi
    printf '%-10s stopped\n' "$R_NAME"
    return 1
}

# ---------------------------------------------------------------------------------------
# Commands

cmd_start() {
    need_cmd redis-server redis-cli openssl runuser timeout
    take_lock
    pg_start
    ensure_tls
    redis_start redis
    redis_start redis-tls
}

cmd_stop() {
    take_lock
    redis_stop redis-tls
    redis_stop redis
    pg_stop
}

cmd_status() {
    local rc=0
    pg_status || rc=3
    redis_status redis || rc=3
    redis_status redis-tls || rc=3
    return "$rc"
}

cmd_env() {
    local vars=(
        "DATABASE_URL=postgres://$APP_USER:$APP_PASSWORD@127.0.0.1:$PG_PORT/$DEV_DB"
        "REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
        "OTTO_TEST_DATABASE_URL=postgres://$APP_USER:$APP_PASSWORD@127.0.0.1:$PG_PORT/$TEST_DB"
        "OTTO_TEST_PG_SUPERUSER_URL=postgres://$ADMIN_USER:$ADMIN_PASSWORD@127.0.0.1:$PG_PORT/postgres"
        "OTTO_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
        "OTTO_TEST_REDIS_TLS_URL=rediss://localhost:$REDIS_TLS_PORT/0"
        "OTTO_TEST_REDIS_TLS_CA_FILE=$TLS_CA"
    )
    local v
    for v in "${vars[@]}"; do
        printf 'export %s=%q\n' "${v%%=*}" "${v#*=}"
    done
}

cmd_psql() {
    local psql=psql
    if find_pg_base 2>/dev/null; then
        find_pg_bin 2>/dev/null || true
        [ -n "$PG_BIN" ] && [ -x "$PG_BIN/psql" ] && psql="$PG_BIN/psql"
    fi
    PGPASSWORD=$APP_PASSWORD exec "$psql" -h 127.0.0.1 -p "$PG_PORT" -U "$APP_USER" -d "$DEV_DB" "$@"
}

# An empty otto_test, as on a fresh machine: tests migrate it, and nothing an earlier run left
# behind (webhook events left unprocessed on purpose) becomes this run's work.
cmd_reset_test() {
    local psql=psql
    if find_pg_base 2>/dev/null; then
        find_pg_bin 2>/dev/null || true
        [ -n "$PG_BIN" ] && [ -x "$PG_BIN/psql" ] && psql="$PG_BIN/psql"
    fi
    PGPASSWORD=$ADMIN_PASSWORD "$psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U "$ADMIN_USER" -d postgres \
        -c "DROP DATABASE IF EXISTS $TEST_DB WITH (FORCE)" -c "CREATE DATABASE $TEST_DB OWNER $APP_USER" >/dev/null \
        || die "postgres: resetting $TEST_DB failed"
}

cmd_clean() {
    cmd_stop
    local target
    if [ -L "$LOCAL/pg" ]; then
        target=$(readlink -m -- "$LOCAL/pg")
        if [ "$target" = "$EXT_BASE/pg" ]; then rm -rf -- "$EXT_BASE"; fi
    fi
    if [ -d "$EXT_BASE" ]; then rm -rf -- "$EXT_BASE"; fi
    rmdir -- "$EXT_ROOT" 2>/dev/null || true
    rm -rf -- "/tmp/otto-pg-$HASH"
    rm -rf -- "$LOCAL/pg" "$REDIS_DIR" "$REDIS_TLS_DIR" "$TLS_DIR"
    rm -f -- "$REDIS_PIDFILE" "$REDIS_TLS_PIDFILE" "$REDIS_LOG" "$REDIS_TLS_LOG"
    say "removed local service data"
}

usage() {
    sed -n '2,20p' -- "$SELF" | sed 's/^# \{0,1\}//'
}

main() {
    local cmd=${1:-}
    [ $# -gt 0 ] && shift
    case $cmd in
        install) cmd_install ;;
        start) cmd_start ;;
        stop) cmd_stop ;;
        restart) cmd_stop; cmd_start ;;
        status) cmd_status ;;
        env) cmd_env ;;
        psql) cmd_psql "$@" ;;
        reset-test) cmd_reset_test ;;
        clean) cmd_clean ;;
        -h | --help | help) usage ;;
        *) usage >&2; exit 2 ;;
    esac
}

main "$@"
