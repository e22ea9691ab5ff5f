#!/usr/bin/env bash
# Soak (issue 8): measures K9's maximum throughput on a mixed workload (bench/soak.lua: list,
# get, create, delete, rename, favorite), then runs SECONDS at 80% of it, sampling resident
# memory every 10 s. Passes when no request failed and resident memory stayed within 10%
# (anonymous memory, after the first minute: SQLite's memory-mapped file pages are reported
# but not judged, they track the file, not the heap).
# Usage: bench/soak.sh [SECONDS=600] [K9 binary=build/k9]   (needs wrk: scripts/install-deps.sh --bench)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
k9=$(realpath "${2:-build/k9}")
threads=2 conns=32 probe_secs=${K9_SOAK_PROBE_SECONDS:-20}
work=$(mktemp -d /tmp/k9-soak.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

export K9_DATA=$work/data
"$k9" users add soak --password 'soak-password-1' --name Soak >/dev/null
export K9_TOKEN=$("$k9" token soak)
"$k9" serve --port 0 > "$work/k9.log" 2>&1 &
kpid=$!
port=""
for _ in $(seq 200); do
  port=$(grep -o 'listening on http://[^:]*:[0-9]*' "$work/k9.log" | grep -o '[0-9]*$' || true)
  [[ -n $port ]] && curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done
url=http://127.0.0.1:$port
ids=()
for i in $(seq 100); do
  ids+=("$(curl -sf -X POST -H "Authorization: Bearer $K9_TOKEN" -H "Content-Type: application/json" "$url/reports" \
    -d '{"title":"seed '"$i"'","reference":{"model":"Oak","images":[{"url":"a.jpg"}]}}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')")
done
export K9_SOAK_IDS=$(IFS=,; echo "${ids[*]}") K9_SOAK_THREADS=$threads

mem() { awk '/^VmRSS/ {r=$2} /^RssAnon/ {a=$2} /^RssFile/ {f=$2} END {printf "%d %d %d", r, a, f}' "/proc/$kpid/status"; }
wrk_line() { grep -o 'non2xx=.*' <<<"$1"; }

# 1. Maximum throughput of the mix.
out=$(K9_SOAK_RATE=0 wrk -t$threads -c$conns -d"${probe_secs}s" -s bench/soak.lua "$url/")
max_rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
echo "{\"phase\":\"max\",\"seconds\":$probe_secs,\"requests_per_second\":$max_rps,\"$(wrk_line "$out" | sed 's/ /","/g; s/=/":"/g')\"}"
rate=$(python3 -c "print(int($max_rps * 0.8))")

# 2. SECONDS at 80%, memory every 10 s.
: > "$work/memory.csv"
( start=$(date +%s)
  while kill -0 $kpid 2>/dev/null; do
    echo "$(( $(date +%s) - start )) $(mem)" >> "$work/memory.csv"
    sleep 10
  done ) &
sampler=$!
out=$(K9_SOAK_RATE=$rate wrk -t$threads -c$conns -d"${secs}s" --timeout 5s -s bench/soak.lua "$url/")
kill $sampler 2>/dev/null || true
achieved=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
python3 - "$work/memory.csv" "$rate" "$achieved" "$(wrk_line "$out")" "$secs" <<'PY'
import json, sys
path, target, achieved, line, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], int(sys.argv[5])
stats = dict(kv.split("=") for kv in line.split())
samples = [list(map(int, l.split())) for l in open(path) if l.strip()]
print("t_s,rss_mib,anon_mib,file_mib")
for t, rss, anon, file in samples:
    print(f"{t},{rss / 1024:.1f},{anon / 1024:.1f},{file / 1024:.1f}")
judged = [s for s in samples if s[0] >= 60] or samples
anon = [s[2] for s in judged]
spread = (max(anon) - min(anon)) / min(anon)
errors = int(stats["non2xx"]) + int(stats["errors"])
result = {"phase": "soak", "seconds": secs, "target_rps": target, "achieved_rps": achieved,
          "non2xx": int(stats["non2xx"]), "socket_errors": int(stats["errors"]),
          "p50_ms": float(stats["p50_ms"]), "p99_ms": float(stats["p99_ms"]),
          "anon_mib_min": round(min(anon) / 1024, 1), "anon_mib_max": round(max(anon) / 1024, 1),
          "anon_spread_after_1min": round(spread, 3),
          "rss_mib_first": round(samples[0][1] / 1024, 1), "rss_mib_last": round(samples[-1][1] / 1024, 1),
          "pass": errors == 0 and spread <= 0.10 and achieved >= 0.95 * target}
print(json.dumps(result))
sys.exit(0 if result["pass"] else 1)
PY
