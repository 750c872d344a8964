#!/usr/bin/env bash
# `make dev`: install what is missing, start private PostgreSQL and Redis, migrate, then run
# otto-api, otto-worker and otto-beat with prefixed output until Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/services.sh install
started_here=0
scripts/services.sh status >/dev/null 2>&1 || started_here=1
scripts/services.sh start
eval "$(scripts/services.sh env)"
swift build
bin="$PWD/.build/debug"

export APP_ENV="${APP_ENV:-development}" PORT="${PORT:-8080}"
export ENABLE_CELERY="${ENABLE_CELERY:-true}" ENABLE_CELERY_BEAT="${ENABLE_CELERY_BEAT:-true}"
"$bin/otto-api" migrate

pids=()
run() {
  local name=$1
  shift
  ("$@" 2>&1 | sed -u "s/^/[$name] /") &
  pids+=($!)
}
stop() {
  trap - INT TERM EXIT
  echo "stopping otto processes and services"
  pkill -TERM -f "$bin/otto-(api|worker|beat)" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  # Stop the services only when this run started them (a test run may be using them).
  if [[ $started_here == 1 ]]; then scripts/services.sh stop; fi
}
trap stop INT TERM EXIT
run api "$bin/otto-api"
run worker "$bin/otto-worker"
run beat "$bin/otto-beat"
echo "otto: api on http://127.0.0.1:$PORT (health: /health, readiness: /ready); Ctrl-C stops everything"
wait
