#!/usr/bin/env bash
# Installs exactly the Debian packages K9 needs to build, test and benchmark.
# Idempotent; runs as root or through sudo. Usage: scripts/install-deps.sh [--bench]
set -euo pipefail

packages=(
  # toolchain
  cmake ninja-build ccache g++ pkg-config git
  # libraries (Boost 1.81: Asio, Beast, JSON, URL, Describe)
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libssl-dev libcurl4-openssl-dev libsodium-dev
  libspdlog-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # tests drive the server with real clients
  curl python3
)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(wrk nginx-light procps)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
