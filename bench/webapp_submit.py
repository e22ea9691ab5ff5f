"""Time from "Create Report" on the web app's create screen to the results shown in the browser
(issue 16), with the demo catalog and with a large one, beside the same steps through the HTTP
API with no browser, measured in the same run.

Browser: Debian's chromium driven by puppeteer-core (tests/peers/webapp-e2e.mjs, task
submit-timing), against `k9 serve --web <the built app>`: sign in once, then per report: the
create form filled with two photos of demo-00001 and its size, the click on "Create Report"
(t = 0), the report page (the app waits for PUT /fetch/{job}, which answers once the analysis is
ready), the click on "Search Similar Products" as soon as it shows, and the first result cards
rendered with their first image decoded.
Peer (no browser): the requests the app makes for the same thing, one after another from Python
(two album uploads, PUT /fetch/{job}, GET /fetch/{job}, GET favorites, POST /fetch/{job} with the
app's default filters): what the server and the network cost, without the browser.

Catalogs: `--products 0` is the demo catalog (`k9 catalog demo --count 120`, the demo command's);
`--products N` adds a synthetic snapshot of N products (bench/synthetic_snapshot.cc, as
bench/analysis_ready.sh) whose ids are also stored as catalog items (copies of one demo
product's item, images included). N > 0 needs `--store dynamodb` (DynamoDB Local + s3rver):
the embedded store has no bulk path for 100,000 items other than `k9 catalog import` analysing
every product's photos.

Usage: python3 bench/webapp_submit.py [--store sqlite|dynamodb] [--products N] [--reports R]
       [--k9 build/k9]   (needs scripts/install-deps.sh and a built build/, bench targets on)
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))
from catalog_items import fill_products  # noqa: E402
from k9test import Server, import_boto3  # noqa: E402
from npm_peers import PEERS  # noqa: E402
from test_webapp_e2e import ORIGIN, PRODUCT, build_app  # noqa: E402
from test_webapp_api import App, encode_report_title  # noqa: E402

DEFAULT_SEARCH = {"type_": {"type": 0.2, "material": 0.2, "missing": True},
                  "shape": {"missing": True, "length": 1, "width": 1, "thickness": 1},
                  "color": {"missing": True, "primary": 0.5, "secondary": 0.5},
                  "pattern": {"missing": True, "primary": 0.5, "secondary": 0.5}}


def api_peer(server, photos, size, reports):
    """The app's requests for create + first search, no browser: ms per report."""
    app = App(server)
    app.login("demo", "demo-password-1")
    times = []
    for i in range(reports):
        job = encode_report_title(f"Peer {i + 1}")
        t = time.perf_counter()
        for k, photo in enumerate(photos):
            status, body = app.upload(job, f"img{k}.jpg", open(photo, "rb").read(), "image/jpeg")
            assert status == 200, (status, body)
        status, body, _ = app.call("PUT", f"/fetch/{job}", {"type": "wood", "material": "ceramic", **size,
                                                           "images": [f"img{k}.jpg" for k in range(len(photos))]})
        assert status == 200, (status, body)
        assert app.call("GET", f"/fetch/{job}")[0] == 200
        assert app.call("GET", f"/report/{job}/favorites")[0] == 200
        status, results, _ = app.call("POST", f"/fetch/{job}", DEFAULT_SEARCH)
        assert status == 200 and results, (status, results)
        times.append((time.perf_counter() - t) * 1000)
        print(f"peer report {i + 1}: {times[-1]:.0f} ms ({len(results)} results)")
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", choices=["sqlite", "dynamodb"], default="sqlite")
    ap.add_argument("--products", type=int, default=0)
    ap.add_argument("--reports", type=int, default=5)
    ap.add_argument("--k9", default=os.path.join(ROOT, os.environ.get("K9_BUILD_DIR", "build"), "k9"))
    args = ap.parse_args()
    k9 = os.path.abspath(args.k9)
    if args.products and args.store != "dynamodb":
        sys.exit("--products N needs --store dynamodb")
    web = build_app()
    work = tempfile.mkdtemp(prefix="k9-bench-webapp-")
    peers = []
    try:
        env = {"K9_PUBLIC_URL": ORIGIN, "K9_WEB_DIR": web}
        if args.store == "dynamodb":
            from dynamodb_local import DynamoDbLocal
            from s3rver import S3rver
            ddb = DynamoDbLocal()
            peers.append(ddb)
            s3 = S3rver()
            peers.append(s3)
            env.update(ddb.env(), K9_STORE="dynamodb", ENVIRONMENT=f"bench{os.getpid()}")
            env.update(s3.env())
        server = Server(k9, env=env)
        server.run("catalog", "demo", "--count", "120")
        server.run("users", "add", "demo", "--password", "demo-password-1")
        catalog = {json.loads(l)["id"]: json.loads(l) for l in open(os.path.join(server.data, "demo-catalog", "products.jsonl"))}
        product = catalog[PRODUCT]
        if args.products:
            t = time.time()
            snap = os.path.join(work, "catalog.k9snap")
            synth = os.path.join(os.path.dirname(k9), "bench", "k9_bench_synthetic_snapshot")
            subprocess.run([synth, "--count", str(args.products), "--out", snap], check=True, capture_output=True)
            boto3 = import_boto3()
            s3c = boto3.client("s3", endpoint_url=s3.endpoint, region_name="us-east-1",
                               aws_access_key_id="S3RVER", aws_secret_access_key="S3RVER")
            from s3rver import BUCKET
            s3c.upload_file(snap, BUCKET, "k9/snapshots/k9-classic-2.k9snap")  # the default version, as the synthetic vectors
            shutil.rmtree(os.path.join(server.data, "snapshots"), ignore_errors=True)  # fetched from S3 at start
            fill_products(ddb.endpoint, server.env, args.products, PRODUCT)
            print(f"{args.products} products: snapshot and catalog items in {time.time() - t:.0f} s")
        server.start()
        fmt = product["formats"][0]
        length, width = sorted([fmt["length"]["val"], fmt["width"]["val"]], reverse=True)
        size = {"length": length, "width": width, "thickness": fmt["thickness"]["val"]}
        photos = [os.path.join(server.data, "demo-catalog", i["url"]) for i in product["images"][1:3]]
        artifacts = os.path.join(work, "browser")
        config = {"task": "submit-timing", "origin": ORIGIN, "port": server.port, "username": "demo",
                  "password": "demo-password-1", "photos": photos, "size": size, "type": "Wood",
                  "artifacts": artifacts, "repeat": args.reports, "chromium": "/usr/bin/chromium"}
        out = subprocess.run(["node", os.path.join(PEERS, "webapp-e2e.mjs"), json.dumps(config)])
        timing = json.load(open(os.path.join(artifacts, "timing.json")))
        assert out.returncode == 0, timing.get("problems")
        peer = api_peer(server, photos, size, args.reports)
        runs = timing["runs"]
        med = lambda xs: statistics.median(xs)  # noqa: E731
        load = os.getloadavg()[0]
        print(f"\n{args.store}, {'demo catalog (120)' if not args.products else f'{args.products} products'}, "
              f"{args.reports} reports, load {load:.1f}:")
        print(f"  browser: submit -> report page median {med([r['page'] for r in runs]):.0f} ms; "
              f"submit -> results shown median {med([r['results'] for r in runs]):.0f} ms "
              f"(first {runs[0]['results']} ms; all {[r['results'] for r in runs]}); first image decoded "
              f"median {med([r['firstImage'] for r in runs]):.0f} ms; {runs[0]['count']} results")
        print(f"  peer (HTTP, no browser): median {med(peer):.0f} ms (all {[round(x) for x in peer]})")
        server.cleanup()
    finally:
        for p in reversed(peers):
            p.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    random.seed()
    main()
