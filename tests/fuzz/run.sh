#!/usr/bin/env bash
# Runs each fuzz target of a fuzz build (make fuzz) for SECONDS, from its committed seed corpus,
# and prints per target the executions and the crashes. The corpus a run grows stays in
# BUILD/fuzz-corpus/<target>/, crash inputs go to BUILD/fuzz-findings/<target>/; once the bug is
# fixed, its input belongs in tests/fuzz/regressions/<target>/ (docs/fuzzing.md).
# Usage: tests/fuzz/run.sh BUILD SECONDS [TARGET...]   (exit status 1 when anything crashed)
set -uo pipefail
cd "$(dirname "$0")/../.."
build=$1 seconds=$2
shift 2
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for binary in "$build"/tests/fuzz/fuzz-*; do targets+=("${binary##*/fuzz-}"); done
fi

total_crashes=0
for target in "${targets[@]}"; do
  corpus=$build/fuzz-corpus/$target findings=$build/fuzz-findings/$target log=$build/fuzz-findings/$target.log
  mkdir -p "$corpus" "$findings"
  options=()
  case $target in
    sentencepiece_model) ;;
    chat_template) options+=(-dict=tests/fuzz/jinja.dict) ;;
    *) options+=(-dict=tests/fuzz/json.dict) ;;
  esac
  # -timeout: an input that takes 10 s is a hang; -rss_limit_mb: 2 GB is an out-of-memory bug.
  "$build/tests/fuzz/fuzz-$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$findings/" "${options[@]}" "$corpus" "tests/fuzz/corpus/$target" >"$log" 2>&1
  executions=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
  crashes=$(find "$findings" -type f | wc -l)
  total_crashes=$((total_crashes + crashes))
  printf '%-20s %12s executions  %d crashes\n' "$target" "${executions:-?}" "$crashes"
  if [ "$crashes" -gt 0 ]; then
    grep -m 3 -E 'ERROR:|runtime error|fuzz check failed' "$log" | sed 's/^/    /'
    echo "    inputs: $findings/ (log: $log)"
  fi
done
[ "$total_crashes" -eq 0 ]
