"""Readiness with a bound (issue 18): `k9 serve --store dynamodb` answers GET /readyz 503 within
2 s, naming the store, while DynamoDB Local is stopped (SIGSTOP: the port accepts and nothing
answers, the hardest case for a client), keeps answering /healthz meanwhile, and answers 200
again once DynamoDB Local runs (SIGCONT). Embedded: 200 with every check listed."""
import os
import signal
import time

from dynamodb_local import DynamoDbLocal
from k9test import Server, check, k9_binary


def timed(server, path):
    t0 = time.monotonic()
    status, body = server.json("GET", path)
    return status, body, time.monotonic() - t0


def main():
    k9 = k9_binary()
    with Server(k9) as embedded:
        embedded.start()
        status, body, _ = timed(embedded, "/readyz")
        check(status == 200 and body["checks"] == {"store": "ok", "blobs": "ok", "keys": "ok"}, f"embedded: {body}")

    with DynamoDbLocal() as ddb, Server(k9, env=dict(ddb.env(), K9_STORE="dynamodb",
                                                     ENVIRONMENT=f"readyz{os.getpid()}")) as server:
        server.run("tables", "create")
        server.start()
        status, body, _ = timed(server, "/readyz")
        check(status == 200 and body["status"] == "ready", f"before: {status} {body}")

        os.kill(ddb.proc.pid, signal.SIGSTOP)
        try:
            time.sleep(1.1)  # past the reuse of the last result
            worst = 0.0
            for _ in range(3):
                status, body, took = timed(server, "/readyz")
                worst = max(worst, took)
                check(status == 503 and "store" in body["message"], f"stopped: {status} {body}")
            check(worst < 2.0, f"/readyz took {worst:.2f} s with DynamoDB Local stopped")
            status, _, took = timed(server, "/healthz")
            check(status == 200 and took < 0.5, f"/healthz meanwhile: {status} in {took:.2f} s")
            print(f"DynamoDB Local stopped: /readyz 503 in at most {worst * 1000:.0f} ms: {body['message']}")
        finally:
            os.kill(ddb.proc.pid, signal.SIGCONT)

        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline:
            status, body, _ = timed(server, "/readyz")
            if status == 200:
                break
            time.sleep(0.2)
        check(status == 200, f"after DynamoDB Local is back: {status} {body}")
    print("test_readyz: passed")


if __name__ == "__main__":
    main()
