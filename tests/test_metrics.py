"""GET /metrics (Prometheus text exposition) on `k9 serve --metrics-port`: after a small journey
(sign-in, uploads, reports created, listed, read, a 404, a 401, an unknown path) the scrape parses
with a real parser (npm parse-prometheus-text-format, plus a strict check of every line here), and
the request counters by route name and status grew by exactly the requests sent; latency
histograms, bytes, open connections, the job queue, analysis durations and process memory and CPU
are there; no raw path is ever a label; and the public port does not answer /metrics."""
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

from k9test import Server, Tally, check, k9_binary
from npm_peers import PEERS, require_peer

PASSWORD = "Correct-horse-battery"
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-z_]+="(?:[^"\\]|\\.)*"(?:,[a-z_]+="(?:[^"\\]|\\.)*")*\})? '
                    r'(-?[0-9.eE+-]+|\+Inf|NaN)$')


def scrape(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        return r.status, r.headers.get("Content-Type", ""), r.read().decode()


def parse(text):
    out = subprocess.run(["node", os.path.join(PEERS, "parse_metrics.mjs")], input=text, capture_output=True,
                         text=True)
    check(out.returncode == 0, f"parse-prometheus-text-format refused the scrape: {out.stderr}")
    return {f["name"]: f for f in json.loads(out.stdout)}


def samples(text, name):
    """(labels, value) of every sample of `name` in the text (lines checked by SAMPLE). The npm
    parser folds labelled histograms' buckets together (it drops their other labels), so
    histograms are read here."""
    out = []
    for line in text.splitlines():
        m = SAMPLE.match(line)
        if m and m.group(1) == name:
            labels = dict(re.findall(r'([a-z_]+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
            out.append((labels, float(m.group(3))))
    return out


def counter(families, route, status):
    for m in families.get("k9_http_requests_total", {}).get("metrics", []):
        if m["labels"] == {"route": route, "status": str(status)}:
            return int(m["value"])
    return 0


def main():
    t0 = time.time()
    tally = Tally()
    require_peer("parse-prometheus-text-format")
    with Server(k9_binary(), env={"K9_METRICS_PORT": "0"}) as server:
        server.run("catalog", "demo", "--count", "6")
        photo_path = os.path.join(server.data, "demo-catalog",
                                  json.loads(open(os.path.join(server.data, "demo-catalog", "products.jsonl"))
                                             .readline())["images"][0]["url"])
        photo = open(photo_path, "rb").read()
        token = server.add_user("ada", PASSWORD)
        server.start()
        m = re.search(r"k9 metrics on http://127\.0\.0\.1:(\d+)/metrics", server.read_log())
        check(m, "the metrics port is logged: " + server.read_log()[-2000:])
        mport = int(m.group(1))

        status, ctype, before_text = scrape(mport)
        tally("GET /metrics answers 200 text/plain version 0.0.4", status == 200 and
              ctype.startswith("text/plain") and "version=0.0.4" in ctype, f"{status} {ctype}")
        before = parse(before_text)

        # The journey, counted by route name and status.
        sent = {}

        def send(route, want, method, path, body=None, auth=True, headers=None):
            status, _, data = server.request(method, path, body, token=token if auth else None, headers=headers)
            check(status == want, f"{method} {path}: {status} {data[:200]}")
            sent[(route, want)] = sent.get((route, want), 0) + 1
            return data

        send("auth.login", 200, "POST", "/auth/login", {"username": "ada", "password": PASSWORD}, auth=False)
        send("auth.login", 401, "POST", "/auth/login", {"username": "ada", "password": "wrong-password-1"}, auth=False)
        key = json.loads(send("files.upload", 201, "PUT", "/uploads/photo.jpg", photo))["key"]
        ids = []
        for i in range(3):
            created = send("reports.create", 201, "POST", "/reports",
                           {"title": f"Floor {i}", "reference": {"model": "Oak", "images": [{"url": key}]}},
                           headers={"Content-Type": "application/json"})
            ids.append(json.loads(created)["id"])
        for _ in range(5):
            send("reports.list", 200, "GET", "/reports")
        for rid in ids:
            send("reports.get", 200, "GET", f"/reports/{rid}")
        send("reports.get", 404, "GET", "/reports/no-such-report")
        send("reports.get", 401, "GET", f"/reports/{ids[0]}", auth=False)
        send("unmatched", 404, "GET", "/no/such/path/secret-ish")
        send("docs.openapi", 200, "GET", "/openapi.json", auth=False)
        # The public port does not serve /metrics (no route: a 404 of the API).
        send("unmatched", 404, "GET", "/metrics", auth=False)

        # Wait for the analyses (their durations are counted when each ends).
        deadline = time.time() + 120
        while time.time() < deadline:
            states = [server.json("GET", f"/reports/{rid}", token=token)[1]["analysis"]["status"] for rid in ids]
            sent[("reports.get", 200)] += len(ids)
            if all(s in ("ready", "failed") for s in states):
                break
            time.sleep(0.3)
        check(all(s == "ready" for s in states), f"analyses: {states}")

        status, _, after_text = scrape(mport)
        after = parse(after_text)

        # A strict reading of every line, beyond the parser's.
        bad = [l for l in after_text.splitlines() if not (l.startswith("# HELP ") or l.startswith("# TYPE "))
               and not SAMPLE.match(l)]
        tally("every line is a comment or a sample", not bad, bad[:5])
        untyped = [n for n, f in after.items() if f["type"] not in ("COUNTER", "GAUGE", "HISTOGRAM")]
        tally("every family has its TYPE", not untyped, untyped)

        for (route, st), n in sorted(sent.items()):
            grew = counter(after, route, st) - counter(before, route, st)
            tally(f"k9_http_requests_total{{route={route},status={st}}} grew by {n}", grew == n, f"grew by {grew}")
        labels = {m["labels"]["route"] for m in after["k9_http_requests_total"]["metrics"]}
        tally("route labels are route names, never paths", all("/" not in l for l in labels), labels)

        tally("the parser reads the latency histogram family",
              after.get("k9_http_request_duration_seconds", {}).get("type") == "HISTOGRAM", after.keys())
        buckets = [(float(l["le"]), v) for l, v in samples(after_text, "k9_http_request_duration_seconds_bucket")
                   if l["route"] == "reports.list"]
        count = [v for l, v in samples(after_text, "k9_http_request_duration_seconds_count") if l["route"] == "reports.list"]
        total = [v for l, v in samples(after_text, "k9_http_request_duration_seconds_sum") if l["route"] == "reports.list"]
        values = [v for _, v in sorted(buckets)]
        listed = sent[("reports.list", 200)] + counter(before, "reports.list", 200)
        tally("latency histogram of reports.list: cumulative buckets, +Inf = count = requests",
              len(buckets) == 15 and values == sorted(values) and count and values[-1] == count[0] == listed and
              total and total[0] > 0, f"{buckets} {count} {total} {listed}")
        byts = {m["labels"]["route"]: int(m["value"]) for m in after["k9_http_request_bytes_total"]["metrics"]}
        tally("bytes in of files.upload count the photo", byts.get("files.upload", 0) >= len(photo), byts)
        out = {m["labels"]["route"]: int(m["value"]) for m in after["k9_http_response_bytes_total"]["metrics"]}
        tally("bytes out of reports.list", out.get("reports.list", 0) > 0, out)

        def gauge(name):
            f = after.get(name)
            return float(f["metrics"][0]["value"]) if f else None

        tally("open connections gauge", gauge("k9_http_open_connections") is not None, after.keys())
        tally("job queue depth gauge (0 once analysed)", gauge("k9_analysis_jobs_queued") == 0,
              gauge("k9_analysis_jobs_queued"))
        a = [v for _, v in samples(after_text, "k9_analysis_duration_seconds_count")]
        a_sum = [v for _, v in samples(after_text, "k9_analysis_duration_seconds_sum")]
        tally("analysis durations: one per report", a == [len(ids)] and a_sum and a_sum[0] > 0, f"{a} {a_sum}")
        rss = gauge("process_resident_memory_bytes")
        with open(f"/proc/{server.proc.pid}/statm") as f:
            statm_rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        tally("process RSS is the process's (/proc/PID/statm, within 50%)",
              rss is not None and 0.5 * statm_rss < rss < 1.5 * statm_rss, f"{rss} vs {statm_rss}")
        tally("process CPU seconds", (gauge("process_cpu_seconds_total") or 0) > 0, gauge("process_cpu_seconds_total"))

        # Store and file-store calls (store/observed_store.h, blobs/observed_blob_store.h).
        def op_count(text, op):
            v = [x for labels, x in samples(text, "k9_backend_operation_duration_seconds_count")
                 if labels.get("operation") == op]
            return v[0] if v else 0
        grew = op_count(after_text, "store.transact_write") - op_count(before_text, "store.transact_write")
        tally("store.transact_write calls: at least one per report created", grew >= len(ids), f"grew by {grew}")
        grew = op_count(after_text, "blobs.put") - op_count(before_text, "blobs.put")
        tally("blobs.put calls: the upload and the analyses' matrices", grew >= 1 + len(ids), f"grew by {grew}")
        plus_inf = [x for labels, x in samples(after_text, "k9_backend_operation_duration_seconds_bucket")
                    if labels.get("operation") == "store.get" and labels.get("le") == "+Inf"]
        tally("store.get latency histogram: +Inf bucket = count", plus_inf == [op_count(after_text, "store.get")],
              f"{plus_inf} vs {op_count(after_text, 'store.get')}")
        failures = {labels["operation"]: x for labels, x in samples(after_text, "k9_backend_operation_failures_total")}
        tally("backend failures by operation: every operation listed",
              len(failures) == 16 and all(v >= 0 for v in failures.values()), failures)
        tally("store and blob retries (none on SQLite and files)",
              gauge("k9_store_retries_total") == 0 and gauge("k9_blobs_retries_total") == 0,
              f"{gauge('k9_store_retries_total')} {gauge('k9_blobs_retries_total')}")
        age = gauge("k9_catalog_snapshot_age_seconds")
        tally("catalog snapshot age (the demo catalog was imported before the server started)",
              age is not None and 0 <= age < 3600, age)

        # Only /metrics on the metrics port; it is loopback-bound.
        status, _, _ = server.request("GET", "/metrics")
        tally("the public port answers /metrics 404", status == 404, status)
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{mport}/reports", timeout=5)
            tally("the metrics port serves nothing else", False, "200")
        except urllib.error.HTTPError as e:
            tally("the metrics port serves nothing else", e.code == 404, e.code)
        listening = subprocess.run(["ss", "-ltnH", f"sport = :{mport}"], capture_output=True, text=True).stdout
        local = [l.split()[3] for l in listening.splitlines() if l.strip()]
        tally("the metrics port is bound to loopback", local == [f"127.0.0.1:{mport}"], listening)

    # Without --metrics-port: no metrics server at all.
    with Server(k9_binary()) as plain:
        plain.start()
        tally("no metrics port unless asked", "k9 metrics on" not in plain.read_log(), plain.read_log()[-500:])
    return tally.summary(time.time() - t0)


if __name__ == "__main__":
    sys.exit(main())
