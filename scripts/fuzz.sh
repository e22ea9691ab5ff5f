#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang, ASan + UBSan) and runs each for a while.
# Usage: scripts/fuzz.sh [seconds per target, default 20] [target...]
#   K9_FUZZ_BUILD_DIR (default build-fuzz)  K9_JOBS (ninja -j)
# Seeds come from fuzz/corpus/<target>/ (read only); new inputs go to
# <build>/corpus/<target>/. A crash leaves <build>/findings/<target>/crash-* and fails the run:
# fix the bug, then add the input to fuzz/corpus/<target>/ as a regression seed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
shift || true
build_dir=${K9_FUZZ_BUILD_DIR:-build-fuzz}
if [[ ! -f "$build_dir/build.ninja" ]]; then
  CC=clang CXX=clang++ cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DK9_FUZZ=ON -DK9_BENCH=OFF
fi
ninja -C "$build_dir" ${K9_JOBS:+-j "$K9_JOBS"} fuzz_all

targets=("$@")
if ((${#targets[@]} == 0)); then
  for d in fuzz/corpus/*/; do targets+=("$(basename "$d")"); done
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
printf '%-16s %12s %10s %8s\n' target executions exec/s result
for t in "${targets[@]}"; do
  work="$build_dir/corpus/$t" findings="$build_dir/findings/$t"
  mkdir -p "$work" "$findings"
  log="$build_dir/findings/$t.log"
  if "$build_dir/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
       -print_final_stats=1 -artifact_prefix="$findings/" "$work" "fuzz/corpus/$t" >"$log" 2>&1; then
    result=ok
  else
    result=FAILED
    failed+=("$t")
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  printf '%-16s %12s %10s %8s\n' "$t" "${runs:-0}" "$(( ${runs:-0} / (seconds > 0 ? seconds : 1) ))" "$result"
done
if ((${#failed[@]})); then
  for t in "${failed[@]}"; do
    echo "---- $t: $build_dir/findings/$t.log"
    grep -E -A30 'ERROR|invariant|Sanitizer|deadly signal|uncaught' "$build_dir/findings/$t.log" | head -60
  done
  exit 1
fi
