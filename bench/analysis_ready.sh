#!/usr/bin/env bash
# Time from POST /reports to analysis "ready" (issue 7), through the real server: a catalog
# snapshot of N synthetic products (bench/synthetic_snapshot.cc), one 1024x768 reference
# photo uploaded once, then R reports created one after another, each polled every 5 ms
# until ready. Prints each time and the median; the server's log has the phases.
# Usage: [K9_MODEL_VERSION=k9-classic-1] bench/analysis_ready.sh [PRODUCTS] [REPORTS]   (needs a built ./build)
# K9_MODEL_VERSION: the model the snapshot's vectors and the server's analyses use (default k9-classic-2).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
reports=${2:-7}
build=${K9_BUILD_DIR:-build}
k9=$(pwd)/$build/k9
work=$(mktemp -d /tmp/k9-bench-analysis.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
export K9_DATA=$work/data
export K9_MODEL_VERSION=${K9_MODEL_VERSION:-k9-classic-2}
mkdir -p "$K9_DATA/snapshots"
"$build/bench/k9_bench_synthetic_snapshot" --count "$n" --out "$K9_DATA/snapshots/$K9_MODEL_VERSION.k9snap" \
  --photo "$work/reference.jpg" --model "$K9_MODEL_VERSION"
"$k9" users add bench --password 'bench-password-1' >/dev/null
token=$("$k9" token bench)
"$k9" serve --port 0 > "$work/k9.log" 2>&1 &
for _ in $(seq 100); do
  port=$(grep -o 'listening on http://[^:]*:[0-9]*' "$work/k9.log" | grep -o '[0-9]*$' || true)
  [[ -n ${port:-} ]] && curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done
python3 - "$port" "$token" "$work/reference.jpg" "$reports" <<'PY'
import http.client, json, sys, time
port, token, photo, reports = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
def call(method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request(method, path, body=body, headers={"Authorization": "Bearer " + token})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, json.loads(data)
status, up = call("PUT", "/uploads/reference.jpg", open(photo, "rb").read())
assert status == 201, up
times = []
for i in range(reports):
    body = json.dumps({"title": f"bench {i}", "reference": {"model": "Oak", "category": {"type": "Plank"},
                       "images": [{"url": up["key"]}]}})
    t0 = time.perf_counter()
    status, created = call("POST", "/reports", body)
    assert status == 201, created
    while True:
        status, r = call("GET", f"/reports/{created['id']}")
        if r["analysis"]["status"] in ("ready", "failed"):
            break
        time.sleep(0.005)
    assert r["analysis"]["status"] == "ready", r["analysis"]
    times.append((time.perf_counter() - t0) * 1000)
    print(f"report {i}: ready in {times[-1]:.0f} ms")
status, page = call("POST", f"/reports/{created['id']}/search", json.dumps({"limit": 20}))
assert status == 200 and page["total"] > 0, page
print(f"median POST -> ready: {sorted(times)[len(times) // 2]:.0f} ms over {reports} reports "
      f"(search answers {page['total']} scored products)")
PY
