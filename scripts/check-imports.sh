#!/usr/bin/env bash
# The layout's import rules (README, "Layout"): OttoAPI uses no PostgreSQL, Redis or C module,
# the leaf libraries know no Otto target, worker and beat carry no HTTP server. Run by
# scripts/test.sh before the build; `scripts/check-imports.sh ROOT` checks another tree.
set -euo pipefail
exec python3 "$(dirname "$0")/check_imports.py" "$@"
