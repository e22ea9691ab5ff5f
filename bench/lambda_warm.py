"""Warm `GET /reports` per invocation through `k9 lambda` beside `k9 serve`, in one run
(issue 15). Both use the same DynamoDB Local tables and the same user with 20 reports; the
Lambda side goes through tests/lambda_emulator.py (Runtime API next/response over loopback
HTTP, as in a Lambda sandbox) with API Gateway REST events, the server side through one
keep-alive HTTP connection. One request at a time on each (a sandbox serves one at a time).

Usage: python3 bench/lambda_warm.py [--k9 build/k9] [--n 300]
"""
import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
from dynamodb_local import DynamoDbLocal  # noqa: E402
from k9test import Server  # noqa: E402
from lambda_emulator import LambdaEmulator  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--k9", default=os.path.join(HERE, "..", "build", "k9"))
    ap.add_argument("--n", type=int, default=300)
    args = ap.parse_args()
    k9 = os.path.abspath(args.k9)
    with DynamoDbLocal() as ddb:
        env = dict(ddb.env(), K9_STORE="dynamodb", ENVIRONMENT=f"warm{os.getpid()}", K9_ANALYSIS_WORKERS="0")
        with Server(k9, env=env) as server:
            server.run("tables", "create")
            token = server.add_user("bench", "Bench-password-1")
            server.start()
            for i in range(20):
                status, _ = server.json("POST", "/reports", {"title": f"r{i}", "reference": {"model": "Oak"}}, token)
                assert status == 201, status
            conn = http.client.HTTPConnection("127.0.0.1", server.port)
            headers = {"Authorization": f"Bearer {token}"}

            def serve_once():
                t0 = time.perf_counter()
                conn.request("GET", "/reports?limit=20", headers=headers)
                r = conn.getresponse()
                r.read()
                assert r.status == 200, r.status
                return time.perf_counter() - t0

            emu = LambdaEmulator()
            lenv = dict(env, **emu.env("k9-bench"), K9_DATA=tempfile.mkdtemp(prefix="k9-warm-"))
            lenv["K9_DATA"] = server.data  # the same keys, so the same token verifies
            proc = subprocess.Popen(["env", "-i"] + [f"{k}={v}" for k, v in lenv.items()] + [k9, "lambda"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            event = {"httpMethod": "GET", "path": "/reports", "headers": headers,
                     "queryStringParameters": {"limit": "20"}, "requestContext": {"stage": "prod"}}

            def lambda_once():
                t0 = time.perf_counter()
                res = emu.invoke(event)
                assert res.ok and res.payload["statusCode"] == 200, res.raw[:200]
                return time.perf_counter() - t0

            try:
                for f in (serve_once, lambda_once):  # warm both
                    for _ in range(20):
                        f()
                serve_t, lambda_t = [], []
                for _ in range(args.n):  # interleaved, so both see the same machine
                    serve_t.append(serve_once())
                    lambda_t.append(lambda_once())
            finally:
                proc.kill()
                proc.wait()
                emu.close()
    med_s, med_l = statistics.median(serve_t), statistics.median(lambda_t)
    print(json.dumps({"n": args.n, "serve_median_ms": round(med_s * 1e3, 2), "lambda_median_ms": round(med_l * 1e3, 2),
                      "serve_p99_ms": round(sorted(serve_t)[int(args.n * 0.99)] * 1e3, 2),
                      "lambda_p99_ms": round(sorted(lambda_t)[int(args.n * 0.99)] * 1e3, 2),
                      "ratio_lambda_to_serve": round(med_l / med_s, 2)}))


if __name__ == "__main__":
    main()
