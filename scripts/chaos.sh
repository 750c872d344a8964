#!/usr/bin/env bash
# `make chaos`: fault drills against real processes (scripts/chaos.py); PASS/FAIL per drill,
# non-zero exit on any FAIL. Uses the debug build and the private services.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/services.sh install
scripts/services.sh start
eval "$(scripts/services.sh env)"
swift build
export OTTO_BIN_DIR="$PWD/.build/debug"
"$OTTO_BIN_DIR/otto-api" migrate >/dev/null
python3 scripts/chaos.py "$@"
