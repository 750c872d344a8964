#!/usr/bin/env bash
# `make bench-instructions`: instructions per request and per task under callgrind
# (scripts/bench_instructions.py). Release build and private services as `make bench` does them;
# OTTO_RELEASE_DIR=dir uses binaries already built there. A benchmark: it asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/services.sh install
for tool in valgrind redis-cli objcopy cc; do
  if ! command -v "$tool" >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind redis-tools binutils gcc >/dev/null
    break
  fi
done
started_here=0
scripts/services.sh status >/dev/null 2>&1 || started_here=1
scripts/services.sh start
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
python3 scripts/bench_instructions.py "$@"
