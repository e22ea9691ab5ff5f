"""Peak resident memory of `k9 lambda` through a whole journey with a large catalog (issue 15:
the journey must fit a 512 MB function; goal: peak RSS under 256 MiB with 100,000 products).

The packaged `bootstrap` (scripts/package-lambda.sh, unzipped, run with `env -i`) under the
Runtime API emulator, against DynamoDB Local and s3rver, as tests/test_lambda.py runs it. The
catalog snapshot in S3 is a synthetic one of N products (bench/synthetic_snapshot.cc, the one
bench/analysis_ready.sh uses), so the sandbox streams it from S3 to its data folder and scores
every product. The journey: sign in, upload a photo (base64 body), create a report, its analysis
through the asynchronous Invoke, searches (first page, filters, deep pages), the product beside the
reference, two favorites, the favorites list, the report list, the export. At the end it reads
VmHWM (peak RSS) of the runtime process from /proc, and prints it beside the snapshot's size and
the process's RSS right after its first answer (libraries, no catalog yet).

Usage: python3 bench/lambda_rss.py [--products 100000] [--k9 build/k9]
       (needs scripts/install-deps.sh and a built build/; K9_BUILD_DIR picks another build)
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))
import boto3  # noqa: E402  (Debian's python3-boto3, installed by scripts/install-deps.sh)
from catalog_items import fill_products  # noqa: E402
from dynamodb_local import DynamoDbLocal  # noqa: E402
from k9test import Server  # noqa: E402
from lambda_emulator import LambdaEmulator  # noqa: E402
from s3rver import BUCKET, S3rver  # noqa: E402
from test_lambda import answer, event_v1, event_v2, package, start  # noqa: E402


def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def main():
    build = os.environ.get("K9_BUILD_DIR", "build")
    ap = argparse.ArgumentParser()
    ap.add_argument("--products", type=int, default=100_000)
    ap.add_argument("--k9", default=os.path.join(ROOT, build, "k9"))
    args = ap.parse_args()
    sys.argv += ["--k9", os.path.abspath(args.k9)]  # what test_lambda.package() packages
    synth = os.path.join(ROOT, build, "bench", "k9_bench_synthetic_snapshot")
    work = tempfile.mkdtemp(prefix="k9-lambda-rss-")
    proc, log = None, None
    try:
        root = package(work)
        with DynamoDbLocal() as ddb, S3rver() as s3:
            aws_env = dict(ddb.env(), **s3.env(), K9_STORE="dynamodb", ENVIRONMENT=f"rss{os.getpid()}",
                           K9_ANALYSIS_WORKERS="0")
            setup = Server(os.path.abspath(args.k9), env=aws_env)
            setup.run("tables", "create")
            token = setup.add_user("bench", "Bench-password-1")
            setup.run("catalog", "demo", "--count", "1")  # one real product item (images in S3) to copy
            snap, photo_path = os.path.join(work, "catalog.k9snap"), os.path.join(work, "reference.jpg")
            subprocess.run([synth, "--count", str(args.products), "--out", snap, "--photo", photo_path],
                           check=True, capture_output=True)
            s3c = boto3.client("s3", endpoint_url=s3.endpoint, region_name="us-east-1",
                               aws_access_key_id="S3RVER", aws_secret_access_key="S3RVER")
            s3c.upload_file(snap, BUCKET, "k9/snapshots/k9-classic-2.k9snap")  # the default version, as the synthetic vectors
            fill_products(ddb.endpoint, aws_env, args.products)
            photo = open(photo_path, "rb").read()

            emu = LambdaEmulator()
            data = os.path.join(work, "tmp-data")
            os.makedirs(data)
            shutil.copytree(os.path.join(setup.data, "keys"), os.path.join(data, "keys"))  # the same tokens verify
            env = dict(aws_env, **emu.env("k9-rss"), K9_DATA=data)
            env.pop("K9_ANALYSIS_WORKERS")
            proc, log = start(root, env)
            auth = {"Authorization": f"Bearer {token}"}
            jauth = dict(auth, **{"Content-Type": "application/json"})
            status, _, _ = answer(emu.invoke(event_v1("GET", "/healthz")))
            assert status == 200, status
            rss_first = status_kib(proc.pid, "VmRSS")

            t0 = time.monotonic()
            status, _, body = answer(emu.invoke(event_v1("PUT", "/uploads/floor.jpg",
                                                         dict(auth, **{"Content-Type": "image/jpeg"}), photo, binary=True)))
            assert status == 201, body[:300]
            ref = {"model": "Oak", "category": {"type": "Plank"}, "images": [{"url": json.loads(body)["key"]}]}
            status, _, body = answer(emu.invoke(event_v2("POST", "/reports", jauth, {"title": "RSS", "reference": ref})))
            assert status == 201, body[:300]
            rid = json.loads(body)["id"]
            emu.drain_async(timeout=300)
            status, _, body = answer(emu.invoke(event_v1("GET", f"/reports/{rid}", auth)))
            assert status == 200 and json.loads(body)["analysis"]["status"] == "ready", body[:300]
            ready = time.monotonic() - t0
            searches = [{"limit": 40}, {"limit": 40, "page": 100},
                        {"limit": 100, "filters": {"similarity": {"threshold": 0.2}}}]
            first = None
            for q in searches:
                status, _, body = answer(emu.invoke(event_v2("POST", f"/reports/{rid}/search", jauth, q), timeout_ms=60_000))
                assert status == 200, (q, body[:300])
                first = first or json.loads(body)["products"]
            ids = [p["id"] for p in first[:2]]
            status, _, body = answer(emu.invoke(event_v2("GET", f"/reports/{rid}/products/{ids[0]}", auth)))
            product_status = status
            for pid in ids:
                status, _, body = answer(emu.invoke(event_v1("PUT", f"/reports/{rid}/favorites/{pid}", jauth,
                                                             {"isFavorite": True})))
                assert status == 200, body[:300]
            status, _, body = answer(emu.invoke(event_v2("GET", f"/reports/{rid}/favorites", auth)))
            assert status == 200, body[:300]
            status, _, _ = answer(emu.invoke(event_v1("GET", "/reports", auth, query={"limit": "20"})))
            assert status == 200
            status, _, body = answer(emu.invoke(event_v1("GET", f"/reports/{rid}/export", auth), timeout_ms=60_000))
            export_status = status
            peak = status_kib(proc.pid, "VmHWM")
            print(json.dumps({"products": args.products, "snapshot_mib": round(os.path.getsize(snap) / 2**20, 1),
                              "rss_after_first_answer_mib": round(rss_first / 1024, 1),
                              "peak_rss_mib": round(peak / 1024, 1), "goal_mib": 256,
                              "post_to_ready_s": round(ready, 2), "product_status": product_status,
                              "export_status": export_status}))
    finally:
        if proc and proc.poll() is None:
            proc.kill()
            proc.wait()
        if log:
            log.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
