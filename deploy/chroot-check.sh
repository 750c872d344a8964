#!/bin/sh
# Run the release binaries in a Debian 12 minbase root built like the image's runtime-base
# stage, without Docker: the closest this machine gets to `docker run otto`.
#
# usage (as root): deploy/chroot-check.sh [BIN_DIR]
#   BIN_DIR        folder with otto-api, otto-worker, otto-beat (default: .build/release)
#   ROOTFS_CACHE   where the pristine minbase root is kept between runs
#                  (default: .local/bookworm-minbase, git-ignored)
#   DEBIAN_MIRROR  default: http://deb.debian.org/debian
#   CHECK_PORT     loopback port for the API's /health (default: 18099)
#   DATABASE_URL, REDIS_URL  passed to the processes when set (e.g. from
#                  `scripts/services.sh env`); otherwise placeholders that check-config
#                  accepts without connecting
#
# Steps: debootstrap --variant=minbase bookworm (what debian:bookworm-slim is made from;
# cached), then in a fresh copy of it: run the Dockerfile's own runtime-base RUN
# instruction (apt-get install of RUNTIME_PACKAGES, the otto user), copy the binaries to
# /usr/local/bin, and as uid 10001: ldd must resolve every library, `check-config` of
# each binary must not fail for a missing library, and `otto-api` must answer /health
# on loopback and exit 0 on SIGTERM. Needs root, debootstrap, curl, and network access
# to the Debian mirror. Exit 1 on a failed check, 2 on bad usage.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin_dir=${1:-$root/.build/release}
dockerfile=${DOCKERFILE:-$here/Dockerfile}
cache=${ROOTFS_CACHE:-$root/.local/bookworm-minbase}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
port=${CHECK_PORT:-18099}
database_url=${DATABASE_URL:-postgres://otto@127.0.0.1:1/otto}
redis_url=${REDIS_URL:-redis://127.0.0.1:1/0}

say() { printf '%s\n' "$*"; }
die() { say "chroot-check: $*" >&2; exit 2; }

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap and chroot)"
command -v debootstrap >/dev/null 2>&1 || die "debootstrap is required (apt-get install debootstrap)"
command -v curl >/dev/null 2>&1 || die "curl is required"
for b in otto-api otto-worker otto-beat; do
    [ -x "$bin_dir/$b" ] || die "$bin_dir/$b not found (make release first)"
done

if curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$port/"; then
    die "something already listens on 127.0.0.1:$port (set CHECK_PORT)"
fi

# The runtime-base stage's RUN instruction and package list, taken from the Dockerfile.
packages=$(sed -n 's/^ARG RUNTIME_PACKAGES="\([^"]*\)".*$/\1/p' "$dockerfile")
[ -n "$packages" ] || die "no ARG RUNTIME_PACKAGES line in $dockerfile"
run=$(awk '
    /^FROM / { in_stage = ($0 ~ / AS runtime-base$/) }
    in_stage && /^RUN / { collecting = 1; sub(/^RUN /, "") }
    collecting {
        line = $0
        more = sub(/\\$/, "", line)
        cmd = cmd line " "
        if (!more) { print cmd; exit }
    }' "$dockerfile")
[ -n "$run" ] || die "no RUN instruction in the runtime-base stage of $dockerfile"

if [ ! -x "$cache/bin/sh" ]; then
    say "chroot-check: debootstrap --variant=minbase bookworm into $cache (once)"
    rm -rf "$cache.partial"
    mkdir -p "$(dirname "$cache")"
    debootstrap --variant=minbase bookworm "$cache.partial" "$mirror" >"$cache.log" 2>&1 ||
        die "debootstrap failed, see $cache.log"
    mv "$cache.partial" "$cache"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/otto-chroot.XXXXXX")
api_pid=""
cleanup() {
    if [ -n "$api_pid" ]; then kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; fi
    umount "$work/rootfs/proc" 2>/dev/null || true
    umount "$work/rootfs/dev" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cp -a "$cache" "$work/rootfs"
r=$work/rootfs
cp /etc/resolv.conf "$r/etc/resolv.conf"
mount -t proc proc "$r/proc"
mount --bind /dev "$r/dev"

failed=0
pass() { say "PASS $1: $2"; }
fail() { say "FAIL $1: $2"; failed=1; }

say "chroot-check: runtime-base RUN with RUNTIME_PACKAGES=\"$packages\""
if chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    RUNTIME_PACKAGES="$packages" /bin/sh -c "$run" >"$work/run.log" 2>&1; then
    pass runtime-base "the Dockerfile's RUN installed $packages and created uid 10001"
else
    tail -n 20 "$work/run.log"
    fail runtime-base "the Dockerfile's RUN failed in a bookworm minbase root"
fi

install -m 0755 "$bin_dir/otto-api" "$bin_dir/otto-worker" "$bin_dir/otto-beat" "$r/usr/local/bin/"

# in_root CMD...: run as the image's user with an empty environment plus the given one.
in_root() {
    chroot --userspec=10001:10001 "$r" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/ TZ=UTC "$@"
}

for b in otto-api otto-worker otto-beat; do
    missing=$(chroot "$r" ldd "/usr/local/bin/$b" 2>&1 | grep 'not found' || true)
    if [ -z "$missing" ]; then
        pass "ldd $b" "every shared library resolves"
    else
        fail "ldd $b" "$(printf '%s' "$missing" | tr '\n' ' ')"
    fi
    status=0
    in_root APP_ENV=development DATABASE_URL="$database_url" REDIS_URL="$redis_url" \
        "$b" check-config >"$work/$b.check" 2>&1 || status=$?
    case $status in
        0 | 78) pass "check-config $b" "ran (exit $status)" ;;
        *) fail "check-config $b" "exit $status: $(head -c 300 "$work/$b.check")" ;;
    esac
done

# Not through in_root: a backgrounded function is a subshell, and SIGTERM must reach
# otto-api itself (chroot and env exec, so $! is otto-api's pid).
chroot --userspec=10001:10001 "$r" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/ TZ=UTC \
    APP_ENV=development HOST=127.0.0.1 PORT="$port" DATABASE_URL="$database_url" \
    REDIS_URL="$redis_url" LOG_FORMAT=json otto-api >"$work/api.log" 2>&1 &
api_pid=$!
health=""
i=0
while [ $i -lt 50 ]; do
    health=$(curl -fsS --max-time 2 "http://127.0.0.1:$port/health" 2>/dev/null) && break
    kill -0 "$api_pid" 2>/dev/null || break
    sleep 0.2
    i=$((i + 1))
done
if printf '%s' "$health" | grep -q '"status"[[:space:]]*:[[:space:]]*"healthy"'; then
    pass health "otto-api in the chroot answered /health: $health"
else
    fail health "no healthy /health on 127.0.0.1:$port; log: $(tail -c 400 "$work/api.log")"
fi
if kill -TERM "$api_pid" 2>/dev/null; then
    status=0
    wait "$api_pid" || status=$?
    api_pid=""
    if [ "$status" = 0 ]; then
        pass sigterm "otto-api exited 0 on SIGTERM"
    else
        fail sigterm "otto-api exited $status on SIGTERM"
    fi
else
    api_pid=""
    fail sigterm "otto-api was no longer running"
fi

if [ "$failed" != 0 ]; then
    say "chroot-check: FAILED"
    exit 1
fi
say "chroot-check: ok"
