#!/usr/bin/env bash
# Sets up, builds and serves K9 in embedded mode with a demo user, on http://127.0.0.1:3001.
# Data lives in ./k9-data (K9_DATA to change). Prints a ready-to-use token.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
k9=${K9_BUILD_DIR:-build}/k9
export K9_DATA=${K9_DATA:-./k9-data}
"$k9" users add demo --password 'demo-password-1' --name "Demo User" --email demo@example.com --exist-ok
# The procedural demo catalog (deterministic; a second run re-imports nothing).
"$k9" catalog demo --count "${K9_DEMO_COUNT:-120}"
cat <<MSG

K9 demo: user "demo", password "demo-password-1".
  curl -s -X POST -H 'Content-Type: application/json' http://127.0.0.1:${K9_PORT:-3001}/auth/login -d '{"username":"demo","password":"demo-password-1"}'
  TOKEN=\$($k9 token demo)
  curl -s -H "Authorization: Bearer \$TOKEN" http://127.0.0.1:${K9_PORT:-3001}/reports
A photo to match (an unseen shot of demo-00001): $K9_DATA/demo-catalog/images/demo-00001-1.jpg
  upload it (PUT /uploads/photo.jpg), create a report naming its key, then search: README "Using it".

MSG
exec "$k9" serve --port "${K9_PORT:-3001}"
