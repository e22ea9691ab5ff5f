#!/usr/bin/env bash
# Packages K9 for AWS Lambda's provided.al2023 runtime, the way AWS's own C++ runtime packager
# does: dist/k9-lambda.zip holds `bootstrap`, bin/k9 (debug info stripped) and lib/ with the
# vision module k9 loads when it first analyses a photo (libk9_vision.so, found beside K9_BINARY;
# k9 finds it in lib/), every shared library k9 or the module loads and the dynamic loader
# itself, so the package runs on any Linux of
# the same architecture whatever its glibc (Amazon Linux 2023 has 2.34; the build machine's
# libc comes along). `bootstrap` (src/lambda/bootstrap: a static launcher, else a script) runs
# `k9 lambda` through the packaged loader; nothing of the build machine's paths is used at run
# time.
# Usage: scripts/package-lambda.sh [K9_BINARY] [OUT_ZIP]   (defaults build/k9, dist/k9-lambda.zip)
set -euo pipefail
cd "$(dirname "$0")/.."
k9=${1:-build/k9}
out=${2:-dist/k9-lambda.zip}
for tool in ldd zip strip; do
  command -v "$tool" >/dev/null || { echo "package-lambda: $tool is missing (scripts/install-deps.sh installs it)" >&2; exit 3; }
done
[[ -x "$k9" ]] || { echo "package-lambda: $k9 is not an executable (run scripts/build.sh)" >&2; exit 2; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib"
strip --strip-debug -o "$stage/bin/k9" "$k9"
vision="$(dirname "$k9")/libk9_vision.so"
binaries=("$k9")  # whose libraries go into lib/
if [[ -f "$vision" ]]; then
  strip --strip-debug -o "$stage/lib/libk9_vision.so" "$vision"
  binaries+=("$vision")
elif ! ldd "$k9" | grep libopencv_core >/dev/null; then  # a k9 from before issue 15 links OpenCV itself
  echo "package-lambda: $vision is missing (k9 loads it to analyse photos; run scripts/build.sh)" >&2
  exit 2
fi

loader=""
while read -r line; do
  # "libfoo.so.1 => /lib/x86_64-linux-gnu/libfoo.so.1 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
  if [[ "$line" == *" => "* ]]; then
    path=${line#* => }
    path=${path%% (*}
  else
    path=${line%% (*}
  fi
  [[ "$path" == /* && -e "$path" ]] || continue
  name=$(basename "$path")
  [[ -e "$stage/lib/$name" ]] || cp -L "$path" "$stage/lib/$name"
  [[ "$name" == ld-linux* ]] && loader=$name
done < <(ldd "${binaries[@]}" | grep -v ':$')
[[ -n "$loader" ]] || { echo "package-lambda: no dynamic loader found in ldd's listing" >&2; exit 4; }

launcher="$(dirname "$k9")/k9-bootstrap"
if [[ -x "$launcher" ]]; then
  # A static executable (src/lambda/bootstrap): no shell to start before K9.
  strip -o "$stage/bootstrap" "$launcher"
else  # builds without it (sanitizers; a k9 from before it): the same as a script
  cat > "$stage/bootstrap" <<BOOT
#!/bin/sh
# Lambda custom runtime entry point: K9 through the packaged loader and libraries. Lambda sets
# LAMBDA_TASK_ROOT; elsewhere the package is this script's folder (found without a subshell:
# forks cost a cold start milliseconds).
case "\$0" in */*) dir="\${0%/*}" ;; *) dir=. ;; esac
here="\${LAMBDA_TASK_ROOT:-\$dir}"
exec "\$here/lib/$loader" --library-path "\$here/lib" "\$here/bin/k9" lambda "\$@"
BOOT
fi
chmod 755 "$stage/bootstrap" "$stage/bin/k9" "$stage/lib/$loader"

mkdir -p "$(dirname "$out")"
out_abs="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
rm -f "$out_abs"
(cd "$stage" && zip -q -r -X "$out_abs" bootstrap bin lib)
echo "package-lambda: $out ($(du -h "$out_abs" | cut -f1), $(ls "$stage/lib" | wc -l) libraries, loader $loader)"
