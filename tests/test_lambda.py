"""`k9 lambda` end to end (issue 15): the packaged bootstrap, unzipped and run with `env -i`
(nothing from the build tree), driven by a Lambda Runtime API emulator (tests/lambda_emulator.py)
against DynamoDB Local, s3rver and cognito-local.

It checks: every library the packaged binary and its vision module load comes from the package; init errors are
reported to the Runtime API (no crash loop); API Gateway REST (1.0) and HTTP API (2.0) proxy
events go through the same routes as `k9 serve` (stage prefix, query strings, multi-value
headers, base64 bodies in and out, CORS preflight); authorizer claims are never trusted alone;
a report's analysis starts as an asynchronous Invoke of the function and reaches `ready`; an
export over Lambda's 6 MB answers 303 to a presigned GET; a deadline too short to finish
answers 503; malformed events are invocation errors and the runtime keeps serving. It prints
the cold start (exec of bootstrap to the first answer) beside `python3 -c "import boto3"`."""
import base64
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from dynamodb_local import DynamoDbLocal  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402
from k9test import Server, broken_png, free_port, k9_binary  # noqa: E402
from lambda_emulator import LambdaEmulator  # noqa: E402
from npm_peers import CognitoLocal, node, require_peer  # noqa: E402
from s3rver import S3rver  # noqa: E402

ROOT = os.path.dirname(HERE)
ENV = f"lambda{os.getpid()}"
passed = 0


def check(cond, what):
    global passed
    if not cond:
        raise AssertionError(what)
    passed += 1


def event_v1(method, path, headers=None, body=None, query=None, stage="prod", binary=False, claims=None):
    headers = dict(headers or {})
    e = {"resource": "/{proxy+}", "path": path, "httpMethod": method,
         "headers": headers, "multiValueHeaders": {k: [v] for k, v in headers.items()},
         "queryStringParameters": query, "multiValueQueryStringParameters":
             {k: [v] for k, v in query.items()} if query else None,
         "pathParameters": {"proxy": path.lstrip("/")}, "stageVariables": None,
         "requestContext": {"stage": stage, "requestId": f"req-{time.time_ns()}", "path": f"/{stage}{path}",
                            "identity": {"sourceIp": "198.51.100.7"}},
         "body": None, "isBase64Encoded": False}
    if claims:
        e["requestContext"]["authorizer"] = {"claims": claims}
    if body is not None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        e["body"] = base64.b64encode(raw).decode() if binary else raw.decode()
        e["isBase64Encoded"] = binary
    return e


def event_v2(method, path, headers=None, body=None, raw_query="", stage="prod", binary=False):
    e = {"version": "2.0", "routeKey": "$default", "rawPath": f"/{stage}{path}", "rawQueryString": raw_query,
         "cookies": ["a=1", "b=2"], "headers": {k.lower(): v for k, v in (headers or {}).items()},
         "requestContext": {"http": {"method": method, "path": f"/{stage}{path}", "protocol": "HTTP/1.1",
                                     "sourceIp": "198.51.100.8"},
                            "requestId": f"req2-{time.time_ns()}", "stage": stage},
         "isBase64Encoded": False}
    if body is not None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        e["body"] = base64.b64encode(raw).decode() if binary else raw.decode()
        e["isBase64Encoded"] = binary
    return e


def answer(res):
    """(status, headers, body bytes) of a proxy answer."""
    check(res.ok, f"invocation error {res.error_type}: {res.raw[:300]!r}")
    p = res.payload
    body = p.get("body") or ""
    raw = base64.b64decode(body) if p.get("isBase64Encoded") else body.encode()
    return p["statusCode"], {k.lower(): v for k, v in p.get("headers", {}).items()}, raw


def package(work):
    subprocess.run([os.path.join(ROOT, "scripts", "package-lambda.sh"), k9_binary(), os.path.join(work, "k9.zip")],
                   check=True, capture_output=True)
    root = os.path.join(work, "task")
    with zipfile.ZipFile(os.path.join(work, "k9.zip")) as z:
        z.extractall(root)
    for f in ("bootstrap", "bin/k9"):
        os.chmod(os.path.join(root, f), 0o755)
    for f in os.listdir(os.path.join(root, "lib")):
        if f.startswith("ld-linux"):
            os.chmod(os.path.join(root, "lib", f), 0o755)
            loader = f
    # The loader's own listing, in an empty environment: every library from the package, for
    # bin/k9 and for the vision module it loads when it first analyses a photo.
    for binary in (os.path.join(root, "bin", "k9"), os.path.join(root, "lib", "libk9_vision.so")):
        out = subprocess.run(["env", "-i", os.path.join(root, "lib", loader), "--library-path",
                              os.path.join(root, "lib"), "--list", binary],
                             check=True, capture_output=True, text=True).stdout
        check("libopencv_core" in out if binary.endswith(".so") else "libopencv" not in out,
              f"OpenCV is the vision module's alone: {binary}\n{out}")
        for line in out.splitlines():
            line = line.strip()
            if not line or line.startswith("linux-vdso"):
                continue
            path = line.split(" => ")[-1].split(" (")[0]
            check(path.startswith(root), f"a library from outside the package ({binary}): {line}")
    # The build's launcher is the bootstrap: a static executable, no interpreter, no shell.
    if os.path.exists(os.path.join(os.path.dirname(k9_binary()), "k9-bootstrap")):
        with open(os.path.join(root, "bootstrap"), "rb") as f:
            check(f.read(4) == b"\x7fELF", "bootstrap is not the static launcher")
        headers = subprocess.run(["readelf", "-lW", os.path.join(root, "bootstrap")], check=True,
                                 capture_output=True, text=True).stdout
        check("INTERP" not in headers and "DYNAMIC" not in headers, f"bootstrap is not static:\n{headers}")
    return root


def start(root, env, chroot=False):
    """`env -i` + exactly `env`: nothing of the test's or the build's environment. chroot: the
    package is the whole file system (K9_DATA a path inside it)."""
    data = os.path.join(root, env["K9_DATA"].lstrip("/")) if chroot else env["K9_DATA"]
    os.makedirs(data, exist_ok=True)
    log = open(os.path.join(data, "lambda.log"), "ab")
    command = [shutil.which("chroot") or "/usr/sbin/chroot", root, "/bootstrap"] if chroot else [os.path.join(root, "bootstrap")]
    args = ["env", "-i"] + [f"{k}={v}" for k, v in env.items()] + command
    return subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=root), log


def main():
    require_peer("cognito-local")
    work = tempfile.mkdtemp(prefix="k9-lambda-")
    ddb, s3, cognito, proxy, emu, procs = None, None, None, None, None, []
    try:
        root = package(work)
        ddb, s3 = DynamoDbLocal(), S3rver()
        proxy = FaultProxy(ddb.endpoint, seed=3, stall_seconds=2.0)
        try:
            cognito = CognitoLocal()
        except TypeError:  # the launcher that takes its port
            cognito = CognitoLocal(free_port())
        ids = json.loads(node("cognito-pool.mjs", cognito.endpoint, json.dumps(
            [{"username": "lena", "password": "Lambda-pass-1", "temporary": False, "name": "Lena"}])))
        aws_env = dict(ddb.env(), **s3.env(), K9_STORE="dynamodb", ENVIRONMENT=ENV)
        # Tables and the demo catalog (products in DynamoDB, images and snapshot in S3).
        setup = Server(k9_binary(), env=aws_env)
        setup.run("tables", "create")
        out = setup.run("catalog", "demo", "--count", "40").stdout
        check("40 added" in out, out)
        catalog = [json.loads(line) for line in open(os.path.join(setup.data, "demo-catalog", "products.jsonl"))]
        photo = open(os.path.join(setup.data, "demo-catalog", catalog[3]["images"][1]["url"]), "rb").read()

        emu = LambdaEmulator()
        data = os.path.join(work, "tmp-data")
        os.makedirs(data)
        env = dict(aws_env, **emu.env("k9-fn"), K9_DATA=data, K9_BASE_PATH="/prod",
                   AWS_ENDPOINT_URL_DYNAMODB=proxy.endpoint,
                   K9_AUTH="cognito", COGNITO_USER_POOL_ID=ids["poolId"], COGNITO_CLIENT_ID=ids["clientId"],
                   K9_COGNITO_ISSUER=f"{cognito.endpoint}/{ids['poolId']}",
                   AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=cognito.endpoint)

        # An init error is reported, and the process exits (Lambda then reports the failure).
        bad_data = os.path.join(work, "bad")
        os.makedirs(bad_data)
        p, log = start(root, dict(env, K9_STORE="postgres:nowhere", K9_DATA=bad_data))
        check(p.wait(timeout=30) != 0, "a bootstrap with a bad store did not exit with an error")
        log.close()
        check(len(emu.init_errors) == 1 and emu.init_errors[0][0] == "K9.InitError", f"init errors: {emu.init_errors}")

        # Cold start: exec of bootstrap to the first answer.
        t0 = time.monotonic()
        p, log = start(root, env)
        procs.append((p, log))
        status, headers, body = answer(emu.invoke(event_v1("GET", "/healthz")))
        cold = time.monotonic() - t0
        check(status == 200 and json.loads(body)["status"] == "ok", f"healthz: {status} {body}")
        t0 = time.monotonic()
        subprocess.run(["python3", "-c", "import boto3"], check=True)
        boto3_import = time.monotonic() - t0

        # Sign in through the function (HTTP API event), then REST API events with the token.
        status, _, body = answer(emu.invoke(event_v2("POST", "/auth/login", {"Content-Type": "application/json"},
                                                     {"username": "lena", "password": "Lambda-pass-1"})))
        check(status == 200, f"login: {status} {body[:300]}")
        token = json.loads(body)["idToken"]
        auth = {"Authorization": f"Bearer {token}"}
        jauth = dict(auth, **{"Content-Type": "application/json"})

        # An authorizer's claims alone are not a sign-in.
        status, _, body = answer(emu.invoke(event_v1("GET", "/user/profile", claims={"sub": "x", "email": "x@y"})))
        check(status == 401, f"claims without a token: {status} {body}")

        # CORS preflight without a token, both versions.
        for ev in (event_v1("OPTIONS", "/reports", {"Origin": "https://app.example"}),
                   event_v2("OPTIONS", "/reports", {"Origin": "https://app.example"})):
            status, headers, _ = answer(emu.invoke(ev))
            check(status == 204 and headers.get("access-control-allow-origin") == "*" and
                  "PATCH" in headers.get("access-control-allow-methods", ""), f"preflight: {status} {headers}")

        # A photo as a base64 body; the report; its analysis through an asynchronous Invoke.
        status, _, body = answer(emu.invoke(event_v1("PUT", "/uploads/floor.jpg", dict(auth, **{"Content-Type": "image/jpeg"}),
                                                     photo, binary=True)))
        check(status == 201, f"upload: {status} {body[:300]}")
        key = json.loads(body)["key"]
        ref = {"model": "My floor", "category": {"type": catalog[3]["category"]["type"]}, "images": [{"url": key}]}
        status, _, body = answer(emu.invoke(event_v2("POST", "/reports", jauth, {"title": "Lambda", "reference": ref})))
        check(status == 201, f"create: {status} {body[:300]}")
        rid = json.loads(body)["id"]
        emu.drain_async(timeout=60)
        check(len(emu.async_invocations) >= 1 and emu.async_invocations[0] == {"k9": {"task": "analysis"}},
              f"async invocations: {emu.async_invocations}")
        ran = emu.results[emu.async_ids[0]]
        check(ran.ok and ran.payload.get("ran", 0) >= 1, f"the async analysis: {ran.raw!r}")
        status, _, body = answer(emu.invoke(event_v1("GET", f"/reports/{rid}", auth)))
        check(status == 200 and json.loads(body)["analysis"]["status"] == "ready", f"report: {status} {body[:400]}")
        # A photo the packaged vision module refuses: the same 400 as `k9 serve` answers.
        status, _, body = answer(emu.invoke(event_v1("PUT", "/uploads/broken.png", dict(auth, **{"Content-Type": "image/png"}),
                                                     broken_png(), binary=True)))
        check(status == 201, f"upload of a broken PNG: {status} {body[:300]}")
        status, _, body = answer(emu.invoke(event_v2("POST", "/embeddings/compute", jauth, {"product_data": {
            "id": "lambda-broken-1", "model": "x", "images": [{"url": json.loads(body)["key"]}]}})))
        check(status == 400 and "the image is corrupt" in json.loads(body)["message"], f"a broken PNG: {status} {body[:300]}")

        # Search with a query string and a stage prefix (HTTP API), the product beside the reference.
        status, _, body = answer(emu.invoke(event_v2("POST", f"/reports/{rid}/search", jauth, {"limit": 40})))
        check(status == 200, f"search: {status} {body[:300]}")
        found = json.loads(body)["products"]
        check(len(found) == 40 and found[0]["id"] == catalog[3]["id"], f"search order: {[p['id'] for p in found[:5]]}")
        status, _, body = answer(emu.invoke(event_v2("GET", "/reports", auth, raw_query="limit=1&limit=5")))
        check(status == 200 and json.loads(body)["limit"] == 5, f"list with a repeated query name: {status} {body[:200]}")

        # The other routes, alternating payload versions: profile, product beside the reference,
        # favorites with scores, retitle, the seed's /embeddings, a direct upload through S3.
        status, _, body = answer(emu.invoke(event_v1("GET", "/user/profile", auth)))
        check(status == 200 and json.loads(body)["id"], f"profile: {status} {body[:200]}")
        status, _, body = answer(emu.invoke(event_v2("PATCH", "/user/profile", jauth,
                                                     {"preferences": {"exportFormat": "zip"}})))
        check(status == 200, f"profile patch: {status} {body[:200]}")
        status, _, body = answer(emu.invoke(event_v2("GET", f"/reports/{rid}/products/{catalog[3]['id']}", auth)))
        check(status == 200 and json.loads(body)["scores"]["match"] is not None, f"product: {status} {body[:200]}")
        status, _, body = answer(emu.invoke(event_v1("PATCH", f"/reports/{rid}", jauth, {"title": "Lambda floor"})))
        check(status == 200 and json.loads(body)["title"] == "Lambda floor", f"retitle: {status} {body[:200]}")
        status, _, body = answer(emu.invoke(event_v1("PUT", f"/reports/{rid}/favorites/{catalog[3]['id']}", jauth,
                                                     {"isFavorite": True})))
        check(status == 200, f"favorite: {status} {body[:200]}")
        status, _, body = answer(emu.invoke(event_v2("GET", f"/reports/{rid}/favorites", auth)))
        check(status == 200 and json.loads(body)["total"] == 1, f"favorites: {status} {body[:200]}")
        # No matrix was ever made for a catalog product (only POST /embeddings/similarity makes one).
        status, _, body = answer(emu.invoke(event_v1("GET", f"/embeddings/similarity/{catalog[5]['id']}", auth)))
        check(status == 404 and "POST /embeddings/similarity" in json.loads(body)["message"],
              f"stored similarity: {status} {body[:200]}")
        status, _, body = answer(emu.invoke(event_v2("POST", "/embeddings/similarity", jauth,
                                                     {"reference_product_id": catalog[5]["id"]})))
        check(status == 200 and len(json.loads(body)["top_similar"]) == 10, f"similarity: {status} {body[:200]}")
        status, _, body = answer(emu.invoke(event_v1("GET", f"/embeddings/similarity/{catalog[5]['id']}", auth)))
        check(status == 200 and json.loads(body)["similarities"], f"stored similarity after: {status} {body[:200]}")
        status, _, body = answer(emu.invoke(event_v2("POST", "/uploads", jauth, {"name": "huge.jpg"})))
        check(status == 201, f"direct upload: {status} {body[:200]}")
        direct = json.loads(body)
        req = urllib.request.Request(direct["uploadUrl"], data=photo, method="PUT")
        with urllib.request.urlopen(req, timeout=30) as r:
            check(r.status == 200, f"PUT to the presigned url: {r.status}")
        ref2 = dict(ref, images=[{"url": direct["key"]}])
        status, _, body = answer(emu.invoke(event_v1("POST", "/reports", jauth, {"title": "Direct", "reference": ref2})))
        check(status == 201, f"a report from a direct upload: {status} {body[:200]}")
        direct_rid = json.loads(body)["id"]
        status, _, body = answer(emu.invoke(event_v2("DELETE", f"/reports/{direct_rid}", auth)))
        check(status == 200, f"delete: {status} {body[:200]}")
        status, _, _ = answer(emu.invoke(event_v1("GET", f"/reports/{direct_rid}", auth)))
        check(status == 404, f"a deleted report: {status}")
        emu.drain_async(timeout=60)

        # Export over 6 MB: 303 to a presigned GET of the ZIP.
        favorites = [p["id"] for p in catalog[:36]]
        status, _, body = answer(emu.invoke(event_v1("PUT", f"/reports/{rid}/favorites", jauth, {"favorites": favorites})))
        check(status == 200, f"favorites: {status} {body[:200]}")
        res = emu.invoke(event_v1("GET", f"/reports/{rid}/export", auth), timeout_ms=60_000)
        status, headers, body = answer(res)
        check(status == 303 and "location" in headers, f"large export: {status} {headers} {body[:200]}")
        check(len(res.raw) < 6 * 1024 * 1024, "the 303 itself is small")
        with urllib.request.urlopen(headers["location"], timeout=30) as r:
            zipped = r.read()
        check(len(zipped) > 4_500_000, f"the ZIP is only {len(zipped)} bytes")
        names = zipfile.ZipFile(io.BytesIO(zipped)).namelist()
        check("favorites.csv" in names and sum(n.startswith("images/") for n in names) >= 36, f"ZIP: {names[:5]}")

        # A small export comes back inline as base64.
        status, _, body = answer(emu.invoke(event_v2("PUT", f"/reports/{rid}/favorites", jauth, {"favorites": favorites[:1]})))
        status, headers, body = answer(emu.invoke(event_v2("GET", f"/reports/{rid}/export", auth)))
        check(status == 200 and headers.get("content-type") == "application/zip" and body[:2] == b"PK",
              f"small export: {status} {headers}")

        # A deadline too short to finish: 503 before the deadline, not a cut invocation.
        proxy.set(stall=1.0)
        t0 = time.monotonic()
        status, headers, body = answer(emu.invoke(event_v1("GET", f"/reports/{rid}", auth), timeout_ms=1200))
        took = time.monotonic() - t0
        proxy.clear()
        # Answered before the deadline (1.2 s), long before the stalled read (2 s) could finish.
        check(status == 503 and "retry-after" in headers and took < 1.8, f"short deadline: {status} in {took:.2f} s")
        time.sleep(2.5)  # the stalled read finishes in the background
        res = emu.invoke(event_v1("GET", "/healthz"), timeout_ms=100)
        status, _, _ = answer(res)
        check(status == 503, f"a deadline already past: {status}")

        # Malformed events: invocation errors, and the runtime keeps serving.
        for bad in (b"not json", b"[1,2]", json.dumps({"hello": "world"}).encode(),
                    json.dumps(dict(event_v1("POST", "/reports", jauth), body="%%%", isBase64Encoded=True)).encode(),
                    json.dumps({k: v for k, v in event_v2("GET", "/reports", auth).items() if k != "rawPath"}).encode()):
            res = emu.invoke(bad)
            check(not res.ok and res.error_type == "K9.BadEvent", f"malformed event {bad[:40]!r}: {res.raw!r}")
        status, _, _ = answer(emu.invoke(event_v2("GET", "/healthz")))
        check(status == 200 and procs[0][0].poll() is None, "the runtime stopped serving after malformed events")
        check(emu.next_calls >= 20, f"next was asked {emu.next_calls} times")

        # Metrics: one EMF line per proxy invocation.
        procs[0][1].flush()
        lines = [json.loads(line) for line in open(os.path.join(data, "lambda.log")) if line.startswith('{"_aws"')]
        check(any(m.get("Route") == "results.search" for m in lines), f"EMF lines: {lines[:2]}")

        # A cursor made by one sandbox is good in another (the key is shared through the blob store).
        status, _, body = answer(emu.invoke(event_v2("POST", "/reports", jauth, {"title": "Second", "reference": ref})))
        check(status == 201, f"second report: {status}")
        status, _, body = answer(emu.invoke(event_v2("GET", "/reports", auth, raw_query="limit=1")))
        cursor = json.loads(body)["next_cursor"]
        check(status == 200 and cursor, f"first page: {status} {body[:200]}")
        p0, log0 = procs[0]
        p0.kill()
        p0.wait()
        # That sandbox sees nothing but the package: chrooted into it (root only), no host library
        # or file is there to be found, so the package's loader and libc are what run, whatever
        # the host's glibc (Amazon Linux 2023 has 2.34).
        if os.geteuid() == 0:
            os.makedirs(os.path.join(root, "tmp"), exist_ok=True)
            procs.append(start(root, dict(env, K9_DATA="/tmp/data-2"), chroot=True))
        else:
            print("the second sandbox runs without chroot: that needs root")
            data2 = os.path.join(work, "tmp-data-2")
            os.makedirs(data2)
            procs.append(start(root, dict(env, K9_DATA=data2)))
        status, _, body = answer(emu.invoke(event_v1("GET", "/reports", auth, query={"limit": "1", "cursor": cursor})))
        check(status == 200 and len(json.loads(body)["reports"]) == 1, f"a cursor in a new sandbox: {status} {body[:200]}")

        print(f"cold start {cold * 1000:.0f} ms (exec of bootstrap to the first answer); "
              f"python3 -c 'import boto3' {boto3_import * 1000:.0f} ms; ratio {cold / boto3_import:.2f}")
        print(f"{passed} passed, 0 failed")
    finally:
        for p, log in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
            log.close()
        for peer in (emu, proxy):
            if peer:
                peer.close()
        for peer in (cognito, s3, ddb):
            if peer:
                peer.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
