#!/usr/bin/env bash
# Sets up, builds and serves K9 in embedded mode with a demo user and the published web app
# (../shared/webapp, built once with scripts/build-webapp.sh and cached), on
# http://127.0.0.1:3001. Data lives in ./k9-data (K9_DATA to change). K9_DEMO_WEB=0 serves
# the API alone.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
k9=${K9_BUILD_DIR:-build}/k9
export K9_DATA=${K9_DATA:-./k9-data}
"$k9" users add demo --password 'demo-password-1' --name "Demo User" --email demo@example.com --exist-ok
# The procedural demo catalog (deterministic; a second run re-imports nothing).
"$k9" catalog demo --count "${K9_DEMO_COUNT:-120}"
port=${K9_PORT:-3001}
web=""
if [[ "${K9_DEMO_WEB:-1}" != 0 ]]; then
  if ! web=$(K9_WEBAPP_API_URL="http://127.0.0.1:$port" scripts/build-webapp.sh); then
    echo "serve-demo: the web app could not be built; serving the API alone" >&2
    web=""
  fi
fi
cat <<MSG

K9 demo: user "demo", password "demo-password-1".
  curl -s -X POST -H 'Content-Type: application/json' http://127.0.0.1:${K9_PORT:-3001}/auth/login -d '{"username":"demo","password":"demo-password-1"}'
  TOKEN=\$($k9 token demo)
  curl -s -H "Authorization: Bearer \$TOKEN" http://127.0.0.1:${K9_PORT:-3001}/reports
A photo to match (an unseen shot of demo-00001): $K9_DATA/demo-catalog/images/demo-00001-1.jpg
  upload it (PUT /uploads/photo.jpg), create a report naming its key, then search: README "Using it".

MSG
if [[ -n "$web" ]]; then
  echo "Open http://127.0.0.1:$port/ in a browser and sign in as demo / demo-password-1."
  exec "$k9" serve --port "$port" --web "$web"
fi
exec "$k9" serve --port "$port"
