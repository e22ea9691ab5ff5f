#!/usr/bin/env bash
# Sets up everything the tests need, builds, and runs every test (unit, conformance, API,
# and system tests that drive the real binary). Safe to run on a fresh Debian 12 machine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
ctest --test-dir "${K9_BUILD_DIR:-build}" --output-on-failure -j "$(nproc)" "$@"
