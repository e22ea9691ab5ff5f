#!/usr/bin/env bash
# Storage latency on DynamoDB (issue 4): K9's DynamoDB adapter against the AWS SDK for
# JavaScript v3, per operation (GetItem, PutItem, conditional UpdateItem, Query on a GSI,
# TransactWriteItems), on one DynamoDB Local, same table, same items, same run. The two clients
# take turns (ROUNDS rounds each, alternating) so that drift of the machine hits both alike;
# the summary gives, per operation and client, the median over rounds of p50 and p99, and the
# ratio K9 / SDK.
#
# Usage: bench/dynamodb_latency.sh [CALLS_PER_OP] [ROUNDS]
#   BUILD=dir selects the build folder (default build; needs target k9_bench_dynamodb_latency).
#   Needs java and the npm peers of tests/peers (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-500}
rounds=${2:-3}
build=${BUILD:-build}
bench=$build/bench/k9_bench_dynamodb_latency
[[ -x $bench ]] || { echo "missing $bench: ninja -C $build k9_bench_dynamodb_latency" >&2; exit 1; }
emulator=${K9_DYNAMODB_LOCAL_DIR:-tests/peers/node_modules/amplify-dynamodb-simulator/emulator}
[[ -f $emulator/DynamoDBLocal.jar ]] || { echo "missing DynamoDB Local: scripts/install-deps.sh" >&2; exit 1; }
[[ -d tests/peers/node_modules/@aws-sdk/client-dynamodb ]] || { echo "missing @aws-sdk/client-dynamodb: scripts/install-deps.sh" >&2; exit 1; }

work=$(mktemp -d /tmp/k9-ddb-bench.XXXXXX)
ddb_pid=
trap '[[ -n $ddb_pid ]] && kill $ddb_pid 2>/dev/null; rm -rf "$work"' EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
java -Xmx512m -Djava.library.path="$emulator/DynamoDBLocal_lib" -jar "$emulator/DynamoDBLocal.jar" \
  -inMemory -port "$port" > "$work/dynamodb-local.log" 2>&1 &
ddb_pid=$!
export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$port AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=k9bench AWS_SECRET_ACCESS_KEY=k9benchsecret
unset AWS_SESSION_TOKEN AWS_PROFILE
for _ in $(seq 1 300); do
  curl -s -o /dev/null -X POST -H 'X-Amz-Target: DynamoDB_20120810.ListTables' \
    -H 'Content-Type: application/x-amz-json-1.0' \
    -H "Authorization: AWS4-HMAC-SHA256 Credential=k9bench/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0" \
    -d '{}' "$AWS_ENDPOINT_URL_DYNAMODB" && break
  sleep 0.2
done

table=k9-bench-latency
items=1000
"$bench" seed $table $items
echo "DynamoDB Local on :$port, $items items, $calls calls per operation, $rounds rounds; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
# DynamoDB Local's JVM (and node's) compile their hot paths first: one round each, not counted.
"$bench" run $table $items $((calls / 2 + 1)) warmk9 > /dev/null
NODE_NO_WARNINGS=1 node bench/dynamodb_latency.mjs $table $items $((calls / 2 + 1)) warmjs > /dev/null
for r in $(seq 1 "$rounds"); do
  "$bench" run $table $items "$calls" "k9r$r" | tee -a "$work/results.jsonl" >&2
  NODE_NO_WARNINGS=1 node bench/dynamodb_latency.mjs $table $items "$calls" "jsr$r" | tee -a "$work/results.jsonl" >&2
done

python3 - "$work/results.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ops = list(dict.fromkeys(r["op"] for r in rows))
def med(client, op, key):
    return statistics.median(r[key] for r in rows if r["client"] == client and r["op"] == op)
print("| operation | SDK p50 | K9 p50 | ratio p50 | SDK p99 | K9 p99 | ratio p99 |")
print("|---|---|---|---|---|---|---|")
for op in ops:
    s50, k50, s99, k99 = (med(c, op, k) for c, k in (("aws-sdk-js", "p50_us"), ("k9", "p50_us"),
                                                      ("aws-sdk-js", "p99_us"), ("k9", "p99_us")))
    print(f"| {op} | {s50/1000:.2f} ms | {k50/1000:.2f} ms | {k50/s50:.2f} | {s99/1000:.2f} ms | {k99/1000:.2f} ms | {k99/s99:.2f} |")
PY
