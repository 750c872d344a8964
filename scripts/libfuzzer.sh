#!/usr/bin/env bash
# Coverage-guided fuzzing of Otto's parsers of outside bytes with libFuzzer (part of `make fuzz`).
#
# Builds Fuzz/Harness/*.swift together with the production sources listed in Fuzz/sources.txt
# into one instrumented binary (swiftc -sanitize=fuzzer,address, about a minute; no package is
# built), then runs every target for FUZZ_SECONDS (default 60) from the seeds in
# Fuzz/corpus/TARGET plus the corpus earlier runs grew under .build-fuzz/corpus. A target
# that finds a crash or a violated property fails the run; the input is saved under
# .build-fuzz/crashes and can be replayed with
#   OTTO_FUZZ_TARGET=TARGET .build-fuzz/otto-fuzz FILE
# Usage: scripts/libfuzzer.sh [TARGET...]   (FUZZ_SECONDS=600 scripts/libfuzzer.sh resp for a long run)
#        scripts/libfuzzer.sh --check        type-checks the harness with its sources, no build
#                                            (make test runs it, so a moved or changed parser
#                                            cannot leave `make fuzz` broken unnoticed)
set -euo pipefail
cd "$(dirname "$0")/.."

out=.build-fuzz
binary="$out/otto-fuzz"
seconds="${FUZZ_SECONDS:-60}"
mkdir -p "$out/crashes"

# The listed files are copied with their imports of Otto's own targets removed: here
# they are all one module.
sources=()
rm -rf "$out/sources"
while IFS= read -r line; do
  [[ -z "$line" || "$line" == \#* ]] && continue
  mkdir -p "$out/sources/$(dirname "$line")"
  grep -vE '^(@testable )?import Otto(Support|Postgres|Redis|Tasks|Calls|Core)$' "$line" >"$out/sources/$line"
  sources+=("$out/sources/$line")
done <Fuzz/sources.txt

read -ra includes <<<"$(pkg-config --cflags-only-I hiredis libpq)"
read -ra libraries <<<"$(pkg-config --libs hiredis libpq)"
# Packages the listed sources import (TraceContext.swift: swift-w3c-trace-context, which uses
# swift-collections' OrderedCollections) come from the package's debug build: their modules,
# and their object files linked uninstrumented (their own code is not what is fuzzed here).
packages=(W3CTraceContext OrderedCollections InternalCollectionsUtilities)
[[ -e .build/debug/Modules/W3CTraceContext.swiftmodule ]] || swift build --target W3CTraceContext
includes+=(-I .build/debug/Modules)
for package in "${packages[@]}"; do
  libraries+=(.build/debug/"$package".build/*.swift.o)
done
if [[ "${1:-}" == "--check" ]]; then
  swiftc -module-name OttoCore -parse-as-library -typecheck -suppress-warnings \
    -I Sources/CHiredis -I Sources/CLibPQ "${includes[@]}" Fuzz/Harness/*.swift "${sources[@]}"
  echo "fuzz: harness and its ${#sources[@]} sources type-check"
  exit 0
fi

build_started=$SECONDS
# One module named OttoCore, so the API files' `import OttoCore` refers to this module (swiftc
# notes and ignores the self-import) and internal types are reachable from the harness.
swiftc -module-name OttoCore -parse-as-library -O -g -sanitize=fuzzer,address -suppress-warnings \
  -I Sources/CHiredis -I Sources/CLibPQ "${includes[@]}" \
  Fuzz/Harness/*.swift "${sources[@]}" "${libraries[@]}" -o "$binary" \
  2> >(grep -v "Cannot export local symbol" >&2)
echo "fuzz: built $binary in $((SECONDS - build_started)) s"

if [[ $# -gt 0 ]]; then
  targets=("$@")
else
  targets=(form webhook-time call-update cursor postgres-timestamp resp redis-url database-url rate-limit headers)
fi

failed=()
printf '%-20s %12s %8s %10s %8s\n' target executions seconds "exec/s" corpus
for target in "${targets[@]}"; do
  corpus="$out/corpus/$target"
  mkdir -p "$corpus"
  seeds=()
  [[ -d "Fuzz/corpus/$target" ]] && seeds=("Fuzz/corpus/$target")
  log="$out/$target.log"
  status=0
  # rss_limit: hiredis allocates an array's element table when the header arrives (up to
  # INT_MAX entries, lazily mapped), which libFuzzer's default 2 GB malloc limit would report.
  # The Swift runtime's own backtracer would race ASan's report of a crash.
  OTTO_FUZZ_TARGET="$target" SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1" \
    "$binary" \
    -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=4096 -malloc_limit_mb=65536 \
    -artifact_prefix="$out/crashes/$target-" "$corpus" "${seeds[@]}" >"$log" 2>&1 || status=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  time=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | grep -o 'in [0-9]*' | grep -o '[0-9]*' || echo "$seconds")
  size=$(find "$corpus" -type f | wc -l)
  printf '%-20s %12s %8s %10s %8s\n' "$target" "$runs" "$time" "$rate" "$size"
  if [[ $status != 0 ]]; then
    failed+=("$target")
    echo "fuzz: $target FAILED (exit $status); log $log:"
    grep -E "ERROR|property violated|Fatal error|SUMMARY|Test unit written" "$log" | head -20
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: FAIL: ${failed[*]}"
  exit 1
fi
echo "fuzz: PASS: ${#targets[@]} targets, no crash and no violated property"
