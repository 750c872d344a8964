#!/usr/bin/env bash
# Schemathesis against a real otto-api's /openapi.json (part of `make test`; `make fuzz` runs it
# longer). Needs DATABASE_URL and REDIS_URL (scripts/services.sh env) and the built binaries in
# OTTO_BIN_DIR. Installs schemathesis and PyJWT into a git-ignored virtual environment.
#   SCHEMATHESIS_EXAMPLES  examples per operation and phase (default 100)
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.local/fuzz-venv
requirements=("schemathesis==4.32.5" "pyjwt[crypto]==2.15.1")
if ! "$venv/bin/python" -c 'import schemathesis, jwt, cryptography' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet "${requirements[@]}"
fi
export OTTO_BIN_DIR="${OTTO_BIN_DIR:-$PWD/.build/debug}"
export SCHEMATHESIS_EXAMPLES="${SCHEMATHESIS_EXAMPLES:-100}"
started=$SECONDS
status=0
"$venv/bin/python" scripts/schemathesis_run.py || status=$?
echo "schemathesis: $SCHEMATHESIS_EXAMPLES examples per operation and phase, $((SECONDS - started)) s in all"
exit $status
