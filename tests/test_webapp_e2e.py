"""The published web app (../shared/webapp) end to end in a real browser: Debian's chromium driven
by puppeteer-core (tests/peers/webapp-e2e.mjs) against `k9 serve --web <the built app>` with the
demo catalog, as a person uses it: sign in, the dashboard, a report made of two photos of a demo
product (its size entered), results, a filter moved, a product beside the reference, two
favorites, the ZIP the app builds in the browser (downloaded through CDP and checked here: CSV
and images), and the session kept across two token refreshes (tokens of 20 seconds). It fails on
any failed request, any answer outside 2xx, a mock result, and the other signals of
docs/WEBAPP.md section 8. Run twice: embedded (SQLite, files on disk, K9's own tokens) and on
DynamoDB Local, s3rver and cognito-local. Screenshots of each step stay in
<build>/test-artifacts/webapp-e2e/<mode>/NN-step.png (printed at the end).

The app is built once for the fixed origin http://k9.test (scripts/build-webapp.sh, cached; the
API url is baked into the app) and chromium maps that host to the port K9 got this run
(--host-resolver-rules), so every run reuses the same build."""
import contextlib
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile

from k9test import Server, check, k9_binary
from dynamodb_local import DynamoDbLocal
from npm_peers import PEERS, CognitoLocal, node, require_peer
from s3rver import S3rver

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORIGIN = "http://k9.test"
TOKEN_SECONDS = 20  # two refreshes within the journey; K9_TOKEN_LIFETIME_SECONDS / the Cognito app client
USER = {"username": "demo", "password": "demo-password-1", "name": "Demo User", "email": "demo@example.com"}
PRODUCT = "demo-00001"  # photographed: two of its catalog shots are the report's photos
CHROMIUM = "/usr/bin/chromium"
# The bucket's CORS rule: the app fetches image links with mode 'cors' to build its ZIP (WEBAPP.md 6.11).
CORS_XML = f"""<CORSConfiguration><CORSRule><AllowedOrigin>{ORIGIN}</AllowedOrigin><AllowedMethod>GET</AllowedMethod>
<AllowedMethod>HEAD</AllowedMethod><AllowedHeader>*</AllowedHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule>
</CORSConfiguration>"""


def build_app():
    """The static export for ORIGIN (scripts/build-webapp.sh: cached; a cold build runs npm ci and next build)."""
    t = time.time()
    out = subprocess.run([os.path.join(ROOT, "scripts", "build-webapp.sh")], capture_output=True, text=True,
                         env=dict(os.environ, K9_WEBAPP_API_URL=ORIGIN))
    check(out.returncode == 0, "scripts/build-webapp.sh failed:\n" + out.stderr[-3000:])
    web = out.stdout.strip().splitlines()[-1]
    check(os.path.isfile(os.path.join(web, "index.html")), f"no app in {web}")
    print(f"web app: {web} ({time.time() - t:.1f} s)")
    return web


def artifacts_dir(mode):
    d = os.path.join(os.path.dirname(k9_binary()), "test-artifacts", "webapp-e2e", mode)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def drive(config):
    """Runs the browser driver; answers its journey.json/timing.json."""
    out = subprocess.run(["node", os.path.join(PEERS, "webapp-e2e.mjs"), json.dumps(config)], timeout=600)
    name = "journey.json" if config["task"] == "journey" else "timing.json"
    path = os.path.join(config["artifacts"], name)
    got = json.load(open(path)) if os.path.exists(path) else {"problems": ["the driver wrote nothing"]}
    check(out.returncode == 0, f"the browser journey failed: {got.get('problems')}")
    return got


def demo_product(data):
    catalog = {json.loads(l)["id"]: json.loads(l) for l in open(os.path.join(data, "demo-catalog", "products.jsonl"))}
    return catalog, catalog[PRODUCT]


def journey_config(server, product, artifacts, port, **extra):
    fmt = product["formats"][0]
    length, width = sorted([fmt["length"]["val"], fmt["width"]["val"]], reverse=True)
    return dict({
        "task": "journey", "origin": ORIGIN, "port": port, "username": USER["username"], "password": USER["password"],
        "photos": [os.path.join(server.data, "demo-catalog", i["url"]) for i in product["images"][1:3]],
        "size": {"length": length, "width": width, "thickness": fmt["thickness"]["val"]},
        "type": "Wood" if product["category"]["material"] == "Wood" else "Any",
        "expect": {"id": product["id"], "brand": product["brand"], "model": product["model"]},
        "artifacts": artifacts, "tokenLifetime": TOKEN_SECONDS, "chromium": CHROMIUM}, **extra)


def check_zip(result, catalog):
    """The ZIP the app made (export.ts): products.csv numbering products, the reference and both
    favorites' images re-encoded as JPEG, nothing FAILED_*."""
    z = zipfile.ZipFile(result["zip"])
    names = z.namelist()
    check(not [n for n in names if "FAILED_" in n], f"images the app could not fetch: {names}")
    rows = list(csv.DictReader(io.StringIO(z.read("products.csv").decode())))
    check(rows and list(rows[0])[0] == "row_index", f"products.csv header {list(rows[0]) if rows else None}")
    by_index = {}
    for r in rows:
        by_index.setdefault(r["row_index"], []).append(r)
    # The reference is product 0, which the app writes as "" (export.ts: String(value || '')).
    check(sorted(by_index) == ["", "1", "2"], f"row_index values {sorted(by_index)}")
    check(by_index[""][0]["type"] == "REFERENCE" and by_index[""][0]["brand"] == "Unknown", by_index[""])
    favorites = result["favorites"]
    for i, pid in enumerate(favorites, start=1):
        row = by_index[str(i)][0]
        want = catalog[pid]
        check(row["type"] == "FAVORITE" and row["brand"] == want["brand"] and row["model"] == want["model"],
              f"row {i}: {row} is not {pid}")
        check(row["vendor_url"] == want["formats"][0]["vendors"][0]["url"], f"row {i} vendor url {row['vendor_url']}")
    for prefix in ("images/000_", "images/001_", "images/002_"):
        images = [n for n in names if n.startswith(prefix) and "/image_" in n]
        check(images, f"no image under {prefix}: {names}")
        for n in images:
            data = z.read(n)
            check(data[:3] == b"\xff\xd8\xff" and len(data) > 1000, f"{n} is not a JPEG ({len(data)} bytes)")
    check("README.txt" in names, names)
    return len(rows), len(names)


def report(mode, artifacts, result, catalog, took):
    rows, entries = check_zip(result, catalog)
    shots = sorted(f for f in os.listdir(artifacts) if f.endswith(".png"))
    print(f"{mode}: journey ok in {took:.0f} s: submit -> results shown {result['submitToResultsMs']} ms, "
          f"{result['refreshes']} token refreshes, ZIP {os.path.basename(result['zip'])} ({rows} CSV rows, "
          f"{entries} entries)")
    print(f"{mode}: screenshots in {artifacts}: {', '.join(shots)}")


def embedded(web):
    artifacts = artifacts_dir("embedded")
    env = {"K9_PUBLIC_URL": ORIGIN, "K9_WEB_DIR": web, "K9_TOKEN_LIFETIME_SECONDS": str(TOKEN_SECONDS)}
    with Server(k9_binary(), env=env) as server:
        server.run("catalog", "demo", "--count", "120")  # serve-demo.sh's catalog
        server.run("users", "add", USER["username"], "--password", USER["password"], "--name", USER["name"],
                   "--email", USER["email"])
        catalog, product = demo_product(server.data)
        server.start()
        t = time.time()
        result = drive(journey_config(server, product, artifacts, server.port))
        report("embedded", artifacts, result, catalog, time.time() - t)


def aws(web):
    require_peer("cognito-local")
    artifacts = artifacts_dir("dynamodb-s3-cognito")
    with contextlib.ExitStack() as running:
        cors = os.path.join(artifacts, "..", "s3rver-cors.xml")
        with open(cors, "w") as f:
            f.write(CORS_XML)
        ddb = running.enter_context(DynamoDbLocal())
        s3 = running.enter_context(S3rver(configs=[os.path.abspath(cors)]))
        cognito = running.enter_context(CognitoLocal())
        ids = json.loads(node("cognito-pool.mjs", cognito.endpoint, json.dumps([USER]), str(TOKEN_SECONDS)))
        env = dict(ddb.env(), K9_STORE="dynamodb", ENVIRONMENT=f"e2e{os.getpid()}")
        env.update(s3.env())  # s3rver checks its own key; DynamoDB Local takes any
        env.update(K9_AUTH="cognito", COGNITO_USER_POOL_ID=ids["poolId"], COGNITO_CLIENT_ID=ids["clientId"],
                   K9_COGNITO_ISSUER=f"{cognito.endpoint}/{ids['poolId']}",
                   AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=cognito.endpoint,
                   K9_PUBLIC_URL=ORIGIN, K9_WEB_DIR=web)
        server = running.enter_context(Server(k9_binary(), env=env))
        server.run("catalog", "demo", "--count", "120")
        catalog, product = demo_product(server.data)
        server.start()
        t = time.time()
        result = drive(journey_config(server, product, artifacts, server.port))
        report("dynamodb-s3-cognito", artifacts, result, catalog, time.time() - t)


def main():
    require_peer("puppeteer-core")
    check(os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: run scripts/install-deps.sh")
    t = time.time()
    web = build_app()
    modes = sys.argv[sys.argv.index("--modes") + 1].split(",") if "--modes" in sys.argv else ["embedded", "aws"]
    if "embedded" in modes:
        embedded(web)
    if "aws" in modes:
        aws(web)
    print(f"webapp e2e: ok ({time.time() - t:.0f} s)")


if __name__ == "__main__":
    main()
