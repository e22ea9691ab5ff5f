#!/usr/bin/env bash
# The cost of metrics and logs on GET /reports throughput (issue 18: at most 5%). In one run:
#   on:  k9 serve --metrics-port 0 (Prometheus counters and histograms by route) and the JSON
#        access log at info (to a file, as a service manager would)
#   off: k9 serve without a metrics port, --log-level warn (no access log)
# each on its own copy of the same data folder (a user with 40 reports), GET /reports?limit=20
# with wrk -t2 -c64, ROUNDS rounds of SECONDS each, interleaved on/off so both see the same box.
# Prints one JSON line per round and the medians' ratio.
# Usage: bench/observability_cost.sh [SECONDS] [ROUNDS]   (needs scripts/install-deps.sh --bench, a built ./build)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
rounds=${2:-5}
k9=${K9_BIN:-$(pwd)/build/k9}
work=$(mktemp -d /tmp/k9-bench-obs.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return; sleep 0.1; done; exit 1; }

export K9_DATA=$work/on
"$k9" users add bench --password 'bench-password-1' --name Bench >/dev/null
export K9_TOKEN=$("$k9" token bench)
port=$(free_port)
"$k9" serve --port "$port" > /dev/null 2>&1 &
pid=$!
wait_up "$port"
for i in $(seq 40); do
  curl -sf -X POST -H "Authorization: Bearer $K9_TOKEN" -H "Content-Type: application/json" "http://127.0.0.1:$port/reports" \
    -d '{"title":"seed '"$i"'","reference":{"model":"Oak","images":[{"url":"a.jpg"}]}}' >/dev/null
done
kill "$pid"; wait "$pid" 2>/dev/null || true
cp -a "$work/on" "$work/off"

on_port=$(free_port)
K9_DATA=$work/on "$k9" serve --port "$on_port" --metrics-port 0 > "$work/on.log" 2>&1 &
off_port=$(free_port)
K9_DATA=$work/off "$k9" serve --port "$off_port" --log-level warn > "$work/off.log" 2>&1 &
wait_up "$on_port"; wait_up "$off_port"
grep -q "metrics" "$work/on.log" || { echo "the 'on' server logged no metrics listener" >&2; exit 1; }

run() {  # name port
  local out rps
  out=$(wrk -t2 -c64 -d"${secs}s" -s bench/get_reports.lua "http://127.0.0.1:$2/reports?limit=20")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  echo "{\"config\":\"$1\",\"requests_per_second\":$rps}"
  echo "$rps" >> "$work/$1.rps"
}
for r in $(seq "$rounds"); do
  if (( r % 2 )); then run on "$on_port"; run off "$off_port"; else run off "$off_port"; run on "$on_port"; fi
done
python3 - "$work/on.rps" "$work/off.rps" <<'PY'
import statistics, sys
on = [float(x) for x in open(sys.argv[1])]
off = [float(x) for x in open(sys.argv[2])]
m_on, m_off = statistics.median(on), statistics.median(off)
print(f'{{"median_on":{m_on:.0f},"median_off":{m_off:.0f},"on_over_off":{m_on / m_off:.3f},'
      f'"cost_percent":{(1 - m_on / m_off) * 100:.1f}}}')
PY
