#!/usr/bin/env bash
# Builds the published web app (../shared/webapp, read its ORIGIN.md) into a static export,
# without editing it, and prints the folder that holds the export.
#
#   K9_WEBAPP_API_URL=http://127.0.0.1:3001 scripts/build-webapp.sh [OUT_DIR]
#
# K9_WEBAPP_API_URL (required, absolute http(s) url, no trailing slash needed) is baked into
#   the app as NEXT_PUBLIC_API_BASE_URL, with NEXT_PUBLIC_USE_REAL_API=true.
# K9_WEBAPP_CACHE   where the copy of the app, its node_modules and the built exports are
#   kept (default ~/.cache/k9-webapp; shared/ is read-only, so nothing is written there).
# K9_WEBAPP_SRC     the app to build (default ../shared/webapp beside this repository).
# OUT_DIR           when given, the export is copied there (replacing what was there);
#   otherwise the cached export's folder is printed on stdout and used as it is.
#
# The export is cached under a key made of the app's lock file, every file of the app's
# source, the API url, the fonts' lock file and this script: a second run with the same
# inputs copies the cached export and takes seconds. `npm ci` is skipped when the copy's
# node_modules was installed from this very lock file (a stamp, as install-deps.sh does).
# Google Fonts cannot be reached here: next/font/google gets Geist and Geist Mono from the npm
# package `geist` through Next's NEXT_FONT_GOOGLE_MOCKED_RESPONSES hook
# (scripts/webapp/google-fonts-mock.cjs). Progress goes to stderr; only the export's folder
# goes to stdout.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
app="${K9_WEBAPP_SRC:-$repo/../shared/webapp}"
cache="${K9_WEBAPP_CACHE:-${HOME:-/root}/.cache/k9-webapp}"
out_dir="${1:-}"

log() { echo "build-webapp: $*" >&2; }
die() { echo "build-webapp: $*" >&2; exit 2; }

api="${K9_WEBAPP_API_URL:-}"
[[ -n "$api" ]] || die "K9_WEBAPP_API_URL is required (the absolute url where the browser reaches K9, e.g. http://127.0.0.1:3001)"
[[ "$api" =~ ^https?://[^/[:space:]]+(/[^[:space:]]*)?$ ]] || die "K9_WEBAPP_API_URL must be an absolute http(s) url, got '$api'"
api="${api%/}"   # the app appends '/report', '/auth/...': no double slash
[[ -f "$app/package-lock.json" && -f "$app/package.json" ]] || die "no web app at $app (set K9_WEBAPP_SRC)"
command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are needed (scripts/install-deps.sh installs them)"

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9   # one build at a time per cache folder

# Everything that can change the export. The app's files are hashed by content and path;
# node_modules/.next/out of a developer's checkout are not part of the source.
app="$(cd "$app" && pwd)"
source_hash=$(cd "$app" && find . \( -name node_modules -o -name .next -o -name out \) -prune -o -type f -print0 \
  | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64)
lock_hash=$(sha256sum < "$app/package-lock.json" | cut -c1-64)
fonts_hash=$(cat "$here/webapp/package-lock.json" "$here/webapp/google-fonts-mock.cjs" | sha256sum | cut -c1-64)
script_hash=$(sha256sum < "${BASH_SOURCE[0]}" | cut -c1-64)
key=$(printf '%s\n' "lock=$lock_hash" "api=$api" "source=$source_hash" "fonts=$fonts_hash" \
  "script=$script_hash" "node=$(node --version)" | sha256sum | cut -c1-16)
export_dir="$cache/out/$key"

deliver() {
  if [[ -n "$out_dir" ]]; then
    mkdir -p "$(dirname "$out_dir")"
    rm -rf "$out_dir.tmp.$$"
    cp -a "$export_dir" "$out_dir.tmp.$$"
    rm -rf "$out_dir"
    mv "$out_dir.tmp.$$" "$out_dir"
    echo "$(cd "$out_dir" && pwd)"
  else
    echo "$export_dir"
  fi
}

if [[ -f "$export_dir/index.html" ]]; then
  log "cached export $key (api $api)"
  touch "$export_dir"   # most recently used, for pruning
  deliver
  exit 0
fi

started=$(date +%s)
log "building export $key (api $api)"

# The fonts: `geist`, pinned by scripts/webapp/package-lock.json, installed in the cache.
fonts="$cache/fonts"
mkdir -p "$fonts"
if ! cmp -s "$here/webapp/package-lock.json" "$fonts/node_modules/.k9-installed-lock"; then
  log "npm ci (fonts)"
  cp "$here/webapp/package.json" "$here/webapp/package-lock.json" "$here/webapp/.npmrc" "$fonts/"
  npm ci --prefix "$fonts" --no-audit --no-fund --loglevel=error >&2
  cp "$here/webapp/package-lock.json" "$fonts/node_modules/.k9-installed-lock"
fi

# A writable copy of the app. Its node_modules and .next (Next's build cache) stay between
# runs; every other file is replaced, so files removed from the app go too.
src="$cache/src"
mkdir -p "$src"
find "$src" -mindepth 1 -maxdepth 1 ! -name node_modules ! -name .next -exec rm -rf {} +
(cd "$app" && tar -cf - --exclude=./node_modules --exclude=./.next --exclude=./out .) | tar -xf - -C "$src"
chmod -R u+w "$src"   # shared/ is read-only; next build writes next-env.d.ts and out/

stamp="$src/node_modules/.k9-installed-lock"
if cmp -s "$src/package-lock.json" "$stamp"; then
  log "node_modules up to date"
else
  log "npm ci (web app)"
  t=$(date +%s)
  rm -f "$stamp"
  npm ci --prefix "$src" --no-audit --no-fund --loglevel=error >&2
  cp "$src/package-lock.json" "$stamp"
  log "npm ci took $(( $(date +%s) - t )) s"
fi

log "next build"
t=$(date +%s)
rm -rf "$src/out"
(
  cd "$src"
  export NEXT_TELEMETRY_DISABLED=1
  export NEXT_PUBLIC_USE_REAL_API=true
  export NEXT_PUBLIC_API_BASE_URL="$api"
  export NEXT_FONT_GOOGLE_MOCKED_RESPONSES="$here/webapp/google-fonts-mock.cjs"
  export K9_WEBAPP_FONTS_DIR="$fonts/node_modules"
  unset NODE_ENV   # next build sets production itself and warns about any other value
  ./node_modules/.bin/next build >&2
)
[[ -f "$src/out/index.html" ]] || die "next build made no out/index.html"
log "next build took $(( $(date +%s) - t )) s"

mkdir -p "$cache/out"
rm -rf "$export_dir.tmp"
mv "$src/out" "$export_dir.tmp"
printf 'api=%s\nsource=%s\nlock=%s\nbuilt=%s\n' "$api" "$source_hash" "$lock_hash" \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$export_dir.tmp/.k9-webapp-build"
mv "$export_dir.tmp" "$export_dir"
# Keep the 4 most recently used exports.
ls -1dt "$cache/out"/*/ 2>/dev/null | tail -n +5 | xargs -r rm -rf
log "built in $(( $(date +%s) - started )) s"
deliver
