#!/usr/bin/env bash
# `make bench`: release build, private services, then scripts/bench.py (a table on stdout and
# JSON under .bench/). A benchmark, never a test: it asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/services.sh install
for tool in wrk redis-benchmark; do
  if ! command -v "$tool" >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk redis-tools >/dev/null
  fi
done
started_here=0
scripts/services.sh status >/dev/null 2>&1 || started_here=1
scripts/services.sh start
# Stop what this run started (services already running are kept).
cleanup() {
  if [[ $started_here == 1 ]]; then scripts/services.sh stop || true; fi
}
trap cleanup EXIT
python3 -c "import cryptography" 2>/dev/null || pip install -q cryptography
eval "$(scripts/services.sh env)"
release_dir="${OTTO_RELEASE_DIR:-$PWD/.build/release}"
if [[ -z "${OTTO_RELEASE_DIR:-}" ]]; then
  make release
  # The ceiling is built as Otto's binaries are.
  # shellcheck disable=SC2046
  swift build $(cat deploy/release-flags) --product MinimalServer
fi
export OTTO_RELEASE_DIR="$release_dir"
"$release_dir/otto-api" migrate >/dev/null
python3 scripts/bench.py "$@"
