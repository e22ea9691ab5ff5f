#!/usr/bin/env bash
# Sets up everything the tests need, builds, and runs every test (unit, conformance, API,
# and system tests that drive the real binary), then the proofs under stress (issue 8):
#   - the unit tests again under AddressSanitizer + UBSan (build-asan/; K9_SANITIZE_TESTS=0 skips);
#   - every libFuzzer target for K9_FUZZ_SECONDS each (build-fuzz/; default 20, 0 skips).
# Safe to run on a fresh Debian 12 machine. Extra arguments go to the first ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzz_seconds=${K9_FUZZ_SECONDS:-20}
if [[ "$fuzz_seconds" != 0 ]]; then scripts/install-deps.sh --fuzz; else scripts/install-deps.sh; fi
scripts/build.sh
# The published web app for the browser test (tests/test_webapp_e2e.py): built once for its fixed
# origin and cached (~/.cache/k9-webapp), so a cold build (npm ci + next build) is not spent
# inside the test's timeout.
K9_WEBAPP_API_URL=http://k9.test scripts/build-webapp.sh >/dev/null
ctest --test-dir "${K9_BUILD_DIR:-build}" --output-on-failure -j "$(nproc)" "$@"

if [[ "${K9_SANITIZE_TESTS:-1}" != 0 ]]; then
  echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan)"
  K9_BUILD_DIR=build-asan scripts/build.sh -DK9_SANITIZE=ON -DK9_BENCH=OFF
  ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan -L unit --output-on-failure -j "$(nproc)"
fi
if [[ "$fuzz_seconds" != 0 ]]; then
  echo "== fuzzing, ${fuzz_seconds} s per target (build-fuzz)"
  scripts/fuzz.sh "$fuzz_seconds"
fi
