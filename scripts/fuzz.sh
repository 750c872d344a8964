#!/usr/bin/env bash
# `make fuzz`: the long runs of the fuzz suite that `make test` runs bounded.
#   1. libFuzzer on every parser of outside bytes (scripts/libfuzzer.sh; FUZZ_SECONDS per
#      target, default 60, so about 12 minutes),
#   2. the parsers' property tests with OTTO_PROPERTY_ITERATIONS (default 100000, 25 times
#      make test's) and a seed of the run's own (OTTO_PROPERTY_SEED, printed on failure),
#   3. schemathesis against a real otto-api with SCHEMATHESIS_EXAMPLES (default 1000).
# Starts the private services like `make test` and stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/services.sh install
started_here=0
scripts/services.sh status >/dev/null 2>&1 || started_here=1
scripts/services.sh start
cleanup() {
  if [[ $started_here == 1 ]]; then scripts/services.sh stop || true; fi
}
trap cleanup EXIT
eval "$(scripts/services.sh env)"

status=0
scripts/libfuzzer.sh || status=1

swift build --build-tests
export OTTO_BIN_DIR="$PWD/.build/debug"
export OTTO_PROPERTY_ITERATIONS="${OTTO_PROPERTY_ITERATIONS:-100000}"
export OTTO_PROPERTY_SEED="${OTTO_PROPERTY_SEED:-$(date +%s)}"
echo "fuzz: property tests with $OTTO_PROPERTY_ITERATIONS iterations, OTTO_PROPERTY_SEED=$OTTO_PROPERTY_SEED"
swift test --skip-build --filter 'PropertyTests' || status=1

SCHEMATHESIS_EXAMPLES="${SCHEMATHESIS_EXAMPLES:-1000}" scripts/schemathesis.sh || status=1
[[ $status == 0 ]]
