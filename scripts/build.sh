#!/usr/bin/env bash
# Configures and builds K9 (Release with debug info) into ./build with Ninja and ccache.
# Usage: scripts/build.sh [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${K9_BUILD_DIR:-build}
if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
fi
ninja -C "$build_dir" ${K9_JOBS:+-j "$K9_JOBS"}
