"""The logs of a journey through the real `k9 serve`: one JSON line per request with its request
id (the X-Request-Id sent, or one made; both answered in the X-Request-Id header), route name,
status, duration, bytes and the user id of bearer routes; the request id in error bodies; and
no secret anywhere in stdout or stderr: no token, password, refresh token, session, file-link
signature or query. K9_LOG_FORMAT=text writes text lines; --log-level warn silences the access log."""
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse

from dynamodb_local import k9_behind_fault_proxy
from k9test import Server, Tally, check, free_port, k9_binary

PASSWORD = "Correct-horse-battery-9"


def access_lines(server):
    time.sleep(1.3)  # the access log is flushed every second
    out = []
    for line in server.read_log().splitlines():
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def main():
    t0 = time.time()
    tally = Tally()
    k9 = k9_binary()
    with Server(k9) as server:
        server.run("catalog", "demo", "--count", "4")
        products = [json.loads(l) for l in open(os.path.join(server.data, "demo-catalog", "products.jsonl"))]
        photo = open(os.path.join(server.data, "demo-catalog", products[0]["images"][0]["url"]), "rb").read()
        server.run("users", "add", "ada", "--password", PASSWORD)
        server.run("users", "add", "newbie", "--password", PASSWORD, "--temporary")
        server.start()
        secrets = [PASSWORD]

        status, login = server.json("POST", "/auth/login", {"username": "ada", "password": PASSWORD})
        check(status == 200, login)
        token = login["idToken"]
        secrets += [login["idToken"], login["accessToken"], login["refreshToken"]]
        status, refreshed = server.json("POST", "/auth/refresh", {"username": "ada", "refreshToken": login["refreshToken"]})
        check(status == 200, refreshed)
        secrets += [refreshed["idToken"], refreshed["accessToken"]]
        status, challenge = server.json("POST", "/auth/login", {"username": "newbie", "password": PASSWORD})
        check(status == 202, challenge)
        secrets.append(challenge["session"])
        status, _ = server.json("POST", "/auth/reset", {"username": "newbie", "newPassword": "Another-password-77",
                                                        "session": challenge["session"]})
        check(status == 200, status)
        secrets.append("Another-password-77")
        status, me = server.json("GET", "/user/profile", token=token)
        check(status == 200, me)
        sub = me["id"]

        status, headers, data = server.request("PUT", "/uploads/photo.jpg", photo, token=token,
                                               headers={"X-Request-Id": "journey-upload-1"})
        check(status == 201, data)
        tally("a sent X-Request-Id is answered", headers.get("X-Request-Id") == "journey-upload-1", headers)
        upload = json.loads(data)
        link = urllib.parse.urlsplit(upload["url"])
        query = dict(urllib.parse.parse_qsl(link.query))
        secrets += [query["signature"], link.query]
        status, _, got = server.request("GET", link.path + "?" + link.query)
        tally("the signed link answers the file", status == 200 and got == photo, status)
        status, headers, data = server.request("GET", "/reports/no-such-report", token=token)
        made = headers.get("X-Request-Id", "")
        body = json.loads(data)
        tally("a request without X-Request-Id gets one made", status == 404 and len(made) >= 16, headers)
        tally("the error body carries the request id", body.get("requestId") == made, body)
        status, headers, data = server.request("GET", "/reports", headers={"X-Request-Id": "no-token-2",
                                                                          "Authorization": "Bearer not-a-token"})
        tally("a 401's body carries the sent request id", status == 401 and json.loads(data).get("requestId") ==
              "no-token-2", data)
        secrets.append("not-a-token")
        status, headers, data = server.request("GET", "/reports", headers={"X-Request-Id": "x" * 300})
        tally("an unusable X-Request-Id is replaced", headers.get("X-Request-Id") != "x" * 300 and
              json.loads(data).get("requestId") == headers.get("X-Request-Id"), headers)
        # A front-door refusal (413) carries it too.
        status, headers, data = server.request("POST", "/reports", b"x" * (2 << 20), token=token,
                                               headers={"X-Request-Id": "too-big-3", "Content-Type": "application/json"})
        tally("a 413 from the front door carries the request id", status == 413 and
              json.loads(data).get("requestId") == "too-big-3", f"{status} {data[:200]}")

        lines = access_lines(server)
        by_id = {l["request_id"]: l for l in lines}
        up = by_id.get("journey-upload-1", {})
        tally("the upload's line: route, status, user, bytes, duration",
              up.get("route") == "files.upload" and up.get("status") == 201 and up.get("user") == sub and
              up.get("bytes_in", 0) >= len(photo) and up.get("bytes_out", 0) > 0 and up.get("duration_ms", -1) >= 0,
              up)
        miss = by_id.get(made, {})
        tally("a 404's line names its route and user", miss.get("route") == "reports.get" and miss.get("status") == 404
              and miss.get("user") == sub, miss)
        login_line = [l for l in lines if l.get("route") == "auth.login"]
        tally("open routes log no user", login_line and all(l["user"] == "" for l in login_line), login_line)
        file_line = [l for l in lines if l.get("route") == "files.get"]
        tally("the signed link's line has its path, not its query", file_line and
              all("?" not in l["path"] for l in file_line), file_line)
        keys = {"ts", "request_id", "method", "path", "route", "status", "bytes_in", "bytes_out", "duration_ms",
                "remote", "user"}
        tally("every request has one line with every field", len(lines) >= 12 and all(set(l) == keys for l in lines),
              [l for l in lines if set(l) != keys][:3])
        log = server.read_log()
        leaked = [s[:12] + "..." for s in secrets if s and s in log]
        tally("no token, password, session, signature or signed query in the logs", not leaked, leaked)

    with Server(k9, env={"K9_LOG_FORMAT": "text"}) as text:
        text.start()
        text.request("GET", "/healthz", headers={"X-Request-Id": "text-1"})
        time.sleep(1.3)
        tally("K9_LOG_FORMAT=text writes a text line", any(l.endswith("id=text-1") and " 200 GET /healthz health.live "
                                                           in l for l in text.read_log().splitlines()),
              text.read_log()[-600:])
    with Server(k9, env={"K9_LOG_LEVEL": "warn"}) as quiet:
        # It does not log where it listens at warn: a port chosen here, polled.
        quiet.port = free_port()
        quiet.log = open(os.path.join(quiet.data, "server.log"), "ab")
        quiet.proc = subprocess.Popen([k9, "serve", "--port", str(quiet.port)], env=quiet.env, stdout=quiet.log,
                                      stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if quiet.request("GET", "/healthz", headers={"X-Request-Id": "quiet-1"})[0] == 200:
                    break
            except OSError:
                time.sleep(0.05)
        time.sleep(1.3)
        tally("K9_LOG_LEVEL=warn: no access line, no info line", "quiet-1" not in quiet.read_log() and
              " info " not in quiet.read_log(), quiet.read_log()[-600:])
        quiet.kill(signal.SIGTERM)
    with Server(k9, env={"K9_LOG_FORMAT": "yaml"}) as wrong:
        out = wrong.run("serve", "--port", "0", check=False)
        tally("an unknown K9_LOG_FORMAT is refused", out.returncode != 0 and "K9_LOG_FORMAT" in out.stderr,
              out.stderr[-300:])
    # A store retry names the request it delayed: DynamoDB behind the fault proxy, every
    # GetItem throttled for a while, then let through.
    with k9_behind_fault_proxy(f"logs{os.getpid()}", seed=5) as (_, proxy, server, token):
        proxy.set(only_ops=["GetItem"], throttle=1.0)
        threading.Timer(0.3, proxy.clear).start()
        status, _, _ = server.request("GET", "/user/profile", token=token, headers={"X-Request-Id": "trace-retry-7"},
                                      timeout=30)
        time.sleep(0.2)
        retries = [l for l in server.read_log().splitlines() if "dynamodb GetItem: ThrottlingException" in l]
        tally("a DynamoDB retry is logged with the request id it delayed",
              status == 200 and retries and all(l.endswith("request_id=trace-retry-7") for l in retries),
              f"{status} {retries[:2]}")
        tally("a retry line holds no secret", all(token not in l for l in retries), retries[:1])
    return tally.summary(time.time() - t0)


if __name__ == "__main__":
    sys.exit(main())
