#!/usr/bin/env bash
# The drift check of the generated OpenAPI code (`make test` runs it; no generator build).
# Every file in Sources/OttoAPI/Generated/ carries the SHA-256 of docs/openapi.json and of the
# generator's inputs (its configuration, its pinned package and scripts/openapi-generate.sh)
# from the run that wrote it; this recomputes both and fails when they differ.
#   scripts/openapi-check.sh [ROOT]     check the checkout at ROOT (default: this one)
#   scripts/openapi-check.sh --stamp    print the stamp lines openapi-generate.sh writes
set -euo pipefail

stamp_only=0
if [[ ${1:-} == --stamp ]]; then
  stamp_only=1
  shift
fi
root="${1:-$(dirname "$0")/..}"
cd "$root"

sha() { sha256sum "$@" | cut -c1-64; }
document="$(sha docs/openapi.json)"
generator="$(cat Tools/OpenAPIGenerator/openapi-generator-config.yaml Tools/OpenAPIGenerator/Package.swift \
  scripts/openapi-generate.sh | sha -)"
stamp="// openapi-sha256: $document
// generator-sha256: $generator"
if [[ $stamp_only == 1 ]]; then
  printf '%s\n' "$stamp"
  exit 0
fi

stale=()
shopt -s nullglob
for path in Sources/OttoAPI/Generated/Server.swift Sources/OttoAPI/Generated/OpenAPIDocument.swift; do
  [[ -f $path ]] || stale+=("$path")
done
for path in Sources/OttoAPI/Generated/*.swift; do
  if [[ "$(grep -E '^// (openapi|generator)-sha256: ' "$path")" != "$stamp" ]]; then
    stale+=("$path")
  fi
done
if ((${#stale[@]} > 0)); then
  echo "openapi-check: ${stale[*]} do not match docs/openapi.json and Tools/OpenAPIGenerator: run make openapi" >&2
  exit 1
fi
echo "openapi-check: Sources/OttoAPI/Generated matches docs/openapi.json"
