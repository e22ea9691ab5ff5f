#!/usr/bin/env bash
# HTTP load benchmark (issue 2). In one run on this machine:
#   1. nginx serving a static 1 KiB file, 64 connections          (the peer)
#   2. K9 GET /reports?limit=20 with a valid token, 64 connections (target: >= 0.5 x nginx)
#   3. K9 POST /reports, durable, 32 connections                   (target: >= 5000/s, p99 < 10 ms)
#   4. the plain SQLite insert-and-fsync loop                      (the floor)
# and K9's resident memory idle and under load.
# Usage: [K9_BIN=path/to/k9] bench/http_load.sh [SECONDS]   (needs scripts/install-deps.sh --bench, a built ./build)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
k9=${K9_BIN:-$(pwd)/build/k9}  # K9_BIN: another build (before/after comparisons)
work=$(mktemp -d /tmp/k9-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; [[ -f $work/nginx.pid ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# nginx, unprivileged, from a private prefix
nport=$(free_port)
mkdir -p "$work/www" "$work/nginx"
chmod 755 "$work" "$work/www"
head -c 1024 /dev/urandom | base64 -w0 | head -c 1024 > "$work/www/static.txt"
cat > "$work/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  server { listen 127.0.0.1:$nport; root $work/www; keepalive_requests 100000; }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work/nginx"
sleep 0.5

# K9 with a user and 40 reports
export K9_DATA=$work/data
"$k9" users add bench --password 'bench-password-1' --name Bench >/dev/null
export K9_TOKEN=$("$k9" token bench)
kport=$(free_port)
"$k9" serve --port "$kport" > "$work/k9.log" 2>&1 &
kpid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$kport/healthz" >/dev/null && break; sleep 0.1; done
for i in $(seq 40); do
  curl -sf -X POST -H "Authorization: Bearer $K9_TOKEN" -H "Content-Type: application/json" "http://127.0.0.1:$kport/reports" \
    -d '{"title":"seed '"$i"'","reference":{"model":"Oak","images":[{"url":"a.jpg"}]}}' >/dev/null
done
sleep 1
idle_rss=$(rss_kib $kpid)

run_wrk() {  # name, connections, url, script
  local out
  out=$(wrk -t2 -c"$2" -d"${secs}s" --latency -s "$4" "$3")
  local rps p99 p50 bad
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  bad=$(grep -o 'non2xx=[0-9]* errors=[0-9]*' <<<"$out" || echo "non2xx=? errors=?")
  printf '{"bench":"%s","connections":%s,"requests_per_second":%s,"p50":"%s","p99":"%s","%s"}\n' \
    "$1" "$2" "$rps" "$p50" "$p99" "$bad" | sed 's/"non2xx=\([^ ]*\) errors=\([^"]*\)"}/"non2xx":"\1","errors":"\2"}/'
  echo "$rps" > "$work/$1.rps"
}

echo 'done = function(s) io.write(string.format("non2xx=%d errors=%d\n", s.errors.status, s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout)) end' > "$work/plain.lua"
run_wrk nginx_static_1k 64 "http://127.0.0.1:$nport/static.txt" "$work/plain.lua"
run_wrk k9_get_reports_limit20 64 "http://127.0.0.1:$kport/reports?limit=20" bench/get_reports.lua
# The same with the list cache off: every request reads the store.
uport=$(free_port)
K9_LIST_CACHE=off "$k9" serve --port "$uport" > "$work/k9-uncached.log" 2>&1 &
upid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$uport/healthz" >/dev/null && break; sleep 0.1; done
run_wrk k9_get_reports_limit20_uncached 64 "http://127.0.0.1:$uport/reports?limit=20" bench/get_reports.lua
kill $upid; wait $upid 2>/dev/null || true
( sleep $((secs / 2)); rss_kib $kpid > "$work/load.rss" ) &
sampler=$!
run_wrk k9_post_reports 32 "http://127.0.0.1:$kport/reports" bench/post_report.lua
wait $sampler
load_rss=$(cat "$work/load.rss")
python3 - "$work" "$idle_rss" "$load_rss" <<'PY'
import sys
work, idle, load = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rps = lambda n: float(open(f"{work}/{n}.rps").read())
print(f'{{"ratio_get_reports_to_nginx":{rps("k9_get_reports_limit20") / rps("nginx_static_1k"):.2f},'
      f'"ratio_uncached_to_nginx":{rps("k9_get_reports_limit20_uncached") / rps("nginx_static_1k"):.2f},'
      f'"rss_idle_mib":{idle / 1024:.1f},"rss_under_post_load_mib":{load / 1024:.1f}}}')
PY
build/bench/k9_bench_sqlite_floor "$work/floor" 3 32 | head -1
