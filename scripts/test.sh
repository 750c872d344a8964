#!/usr/bin/env bash
# `make test`: install what is missing, start private PostgreSQL and Redis, run the tests and
# the deploy checks, and stop the services this run started (services already running are kept).
set -euo pipefail
cd "$(dirname "$0")/.."

# Who may import what (README, "Layout"), before anything is built; in a full run also the
# check's own tests, which run it on copies of the tree with a forbidden import or literal added.
scripts/check-imports.sh
if [[ -z "${OTTO_TEST_FILTER:-}" ]]; then python3 -m unittest discover -s Tests/ImportCheck; fi

scripts/services.sh install
started_here=0
scripts/services.sh status >/dev/null 2>&1 || started_here=1
scripts/services.sh start
cleanup() {
  if [[ $started_here == 1 ]]; then scripts/services.sh stop || true; fi
}
trap cleanup EXIT
eval "$(scripts/services.sh env)"
# Every run starts from an empty test database, as on a fresh CI machine: in-process test
# applications sweep it across tenants (as otto-api with ENABLE_CELERY=false does), so events
# that earlier runs left unprocessed on purpose must not become this run's load.
scripts/services.sh reset-test

# The webhook tests compare signatures with Twilio's own library and validate the OpenAPI
# examples with jsonschema.
python3 -c 'import twilio, jsonschema' 2>/dev/null || python3 -m pip install --quiet twilio jsonschema

# The generated OpenAPI code matches docs/openapi.json (hashes only; `make openapi` regenerates).
scripts/openapi-check.sh
swift build --build-tests
export OTTO_BIN_DIR="$PWD/.build/debug"
# Runs the Swift Testing suites of the test bundle with at most OTTO_TEST_PARALLELISM (8) tests
# at once. Unbounded, all ~300 tests start together on this machine's two cores: they spawn
# otto processes and servers, and the cooperative pool falls so far behind that one-second
# contract timers (readiness, rate-limit decisions) fire before the work they guard is even
# scheduled. The bound changes the order tests run in, never what they assert.
# The operator dashboard in headless Chromium (Debian's chromium and chromium-driver, driven by
# selenium from PyPI; installed here when missing) against a real otto-api, otto-worker and
# otto-beat on the test servers: about a minute, bounded under 3. It prints where it wrote its
# screenshots (.build/dashboard-screenshots/). With OTTO_TEST_FILTER set it runs only when
# OTTO_BROWSER_TESTS=1.
run_browser_tests() {
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt-get install -y --no-install-recommends chromium chromium-driver >/dev/null \
      || { apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium chromium-driver >/dev/null; }
  fi
  python3 -c 'import selenium' 2>/dev/null || python3 -m pip install --quiet selenium
  timeout 180 python3 Tests/Browser/dashboard_browser.py
}
run_swift_tests() {
  "$PWD/.build/debug/ottoPackageTests.xctest" --testing-library swift-testing \
    --experimental-maximum-parallelization-width "${OTTO_TEST_PARALLELISM:-8}" "$@"
}
if [[ -n "${OTTO_TEST_FILTER:-}" ]]; then
  run_swift_tests --filter "$OTTO_TEST_FILTER"
  if [[ "${OTTO_BROWSER_TESTS:-0}" == 1 ]]; then run_browser_tests; fi
else
  run_swift_tests --skip 'PropertyTests|IsolatedTests'
  run_browser_tests
  # The local stand-ins of Deepgram, OpenAI, Twilio media and CallRail test themselves
  # (Python, about ten seconds; see Tests/StandIns/README.md).
  python3 -m unittest discover -s Tests/StandIns
  # The fuzz suite, bounded: the property tests of every parser of outside bytes
  # (Tests/*/Properties, about 25 s), in a run of their own so their CPU never delays the other
  # tests' timers; then schemathesis drives a real otto-api and otto-worker from /openapi.json
  # (about 30 s). Coverage-guided libFuzzer runs need an instrumented build of their own and pay
  # off over minutes per parser, so they are in `make fuzz`.
  run_swift_tests --filter 'PropertyTests'
  # Suites that measure the process itself (its memory) run in a process of their own.
  run_swift_tests --filter 'IsolatedTests'
  # `make fuzz`'s harness is compiled from the parsers' own sources: type-check it (about 10 s).
  scripts/libfuzzer.sh --check
  scripts/schemathesis.sh
  # The quick fault drills of `make chaos` (kill -9, SIGTERM, Redis and PostgreSQL restarts,
  # a webhook flood, the two no-loss drills); they use the development database, so migrate it first.
  "$OTTO_BIN_DIR/otto-api" migrate >/dev/null
  python3 scripts/chaos.py --quick sigterm kill9 redis postgres flood inprocess-kill9 pg-outage
  scripts/lint-deploy.sh
  # The Dockerfile's runtime packages against what the binaries link (the debug build's Swift
  # runtime is skipped: release builds link it statically). `make release-check` does the
  # same on the real release binaries.
  SWIFT_RUNTIME_DIR="$(dirname "$(dirname "$(command -v swift)")")" deploy/check-runtime-closure.sh .build/debug
fi
