#!/usr/bin/env bash
# Installs exactly the Debian packages K9 needs to build, test and benchmark.
# Idempotent; runs as root or through sudo. Usage: scripts/install-deps.sh [--bench] [--fuzz]
set -euo pipefail

packages=(
  # toolchain
  cmake ninja-build ccache g++ pkg-config git
  # libraries (Boost 1.81: Asio, Beast, JSON, URL, Describe)
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libssl-dev libsodium-dev
  libspdlog-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # export ZIPs and similarity matrices (.npz); the export CSV read back as a catalog (libcsv)
  libzip-dev libcsv-dev zlib1g-dev  # zlib: the gzip data files of k9 export (DynamoDB's layout)
  # visual analysis: OpenCV 4.6's core and imgproc only (not libopencv-dev's 150 packages,
  # nor imgcodecs and the ~145 libraries it loads); images are decoded and encoded with
  # libjpeg-turbo, libpng and libwebp directly (src/codec)
  libopencv-core-dev libopencv-imgproc-dev libjpeg62-turbo-dev libpng-dev libwebp-dev
  # tests drive the server with real clients
  curl python3 python3-yaml zip
  # the matrix test opens K9's .npz with numpy.load, as users of the seed's matrices do
  python3-numpy
  # the web app end to end in a real browser (tests/test_webapp_e2e.py: puppeteer-core, from
  # tests/peers, drives Debian's chromium; no browser is ever downloaded)
  chromium
)
for arg in "$@"; do
  case "$arg" in
    --bench) packages+=(wrk nginx-light procps libfaiss-dev) ;;  # FAISS: the scoring peer
    # libFuzzer (scripts/fuzz.sh): Debian's clang and its compiler-rt (fuzzer, ASan, UBSan)
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
    *) echo "install-deps: unknown option $arg" >&2; exit 2 ;;
  esac
done
# DynamoDB Local (npm package in tests/peers, runs on Java) and boto3 for the
# compatibility test. NodeSource's nodejs bundles npm and conflicts with Debian's npm, so
# each is installed only when its command is missing.
packages+=(python3-boto3)
# Debian's AWS CLI: the blob tests check that its presigned URLs match K9's.
packages+=(awscli)
command -v java >/dev/null 2>&1 || packages+=(default-jre-headless)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
else
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm_ci_pinned DIR [npm flags...]: `npm ci` in DIR, exactly as its package-lock.json pins it;
# skipped when DIR/node_modules was installed from this very lock file.
npm_ci_pinned() {
  local dir="$1" stamp="$1/node_modules/.k9-installed-lock"
  shift
  if cmp -s "$dir/package-lock.json" "$stamp"; then
    echo "install-deps: ${dir#"$root"/} up to date"
  else
    echo "install-deps: npm ci in ${dir#"$root"/}"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error "$@"
    cp "$dir/package-lock.json" "$stamp"
  fi
}
root="$(cd "$(dirname "$0")/.." && pwd)"
# The test peers (DynamoDB Local, s3rver, cognito-local, the AWS SDK, puppeteer-core...).
npm_ci_pinned "$root/tests/peers"
# The API documentation page's files (GET /docs): Swagger UI, copied beside k9 by the build.
# --ignore-scripts: its one dependency only reports usage at install time.
npm_ci_pinned "$root/web/api-docs" --ignore-scripts
