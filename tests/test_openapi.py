"""The API document (GET /openapi.json, made from K9's route table) against the real `k9 serve`:
it is served without a token, Redocly's CLI lints it with no problem, and every operation's
documented example request is sent to the server (live ids, tokens and image bytes in place of
the example's placeholders), answering the example's status with a body that ajv (JSON Schema
2020-12) finds valid against the document's schema for that status. Every bearer operation sent
without a token answers 401 with the documented error body. The page GET /docs renders it from
files installed beside the binary (no other origin), and a server without them answers 404."""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse

from k9test import Server, Tally, check, k9_binary
from npm_peers import PEERS, require_peer

# The order operations run in: what a later one needs exists by then (the report before its
# results, the job's album before the job); deletions last. An operation not listed runs after
# these, in the document's order.
ORDER = [
    "health.live", "health.ready", "jwks", "docs.openapi", "docs.page", "docs.asset",
    "auth.login", "auth.refresh", "auth.reset",
    "profile.get", "profile.update", "files.avatar", "files.upload", "files.upload.direct", "files.get",
    "reports.create", "reports.list", "reports.get", "reports.update",
    "reports.favorites.mark", "reports.favorites.replace",
    "results.search", "results.product", "results.favorites", "results.export",
    "embeddings.compute", "embeddings.similarity", "embeddings.similarity.get",
    "webapp.album.put", "webapp.job.create", "webapp.job.get", "webapp.job.search", "webapp.job.product",
    "webapp.favorites.replace", "webapp.favorites.toggle", "webapp.favorites.get", "webapp.reports.list",
    "reports.delete",
]
PASSWORD = "Correct-horse-battery"


def operations(doc):
    ops = {}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            ops[op["operationId"]] = (path, method, op)
    return ops


def wait_ready(server, token, report_id):
    deadline = time.time() + 120
    while time.time() < deadline:
        status, body = server.json("GET", f"/reports/{report_id}", token=token)
        check(status == 200, f"GET /reports/{report_id}: {status} {body}")
        if body["analysis"]["status"] in ("ready", "failed"):
            check(body["analysis"]["status"] == "ready", f"analysis: {body['analysis']}")
            return
        time.sleep(0.2)
    raise AssertionError("analysis not ready in 120 s")


def merge(example, live):
    """The example body with live values in place of its placeholders (dicts merge key by key)."""
    if isinstance(example, dict) and isinstance(live, dict):
        out = dict(example)
        for k, v in live.items():
            out[k] = merge(example.get(k), v)
        return out
    return live


def main():
    t0 = time.time()
    tally = Tally()
    require_peer("@redocly/cli")
    require_peer("ajv")
    k9 = k9_binary()
    docs_folder = os.path.join(os.path.dirname(k9), "api-docs")
    check(os.path.isfile(os.path.join(docs_folder, "index.html")),
          f"{docs_folder}/index.html is missing: scripts/install-deps.sh installs web/api-docs, the build copies it")
    with Server(k9) as server:
        server.run("catalog", "demo", "--count", "12")
        catalog = [json.loads(l) for l in open(os.path.join(server.data, "demo-catalog", "products.jsonl"))]
        target = catalog[3]
        photo = open(os.path.join(server.data, "demo-catalog", target["images"][0]["url"]), "rb").read()
        token = server.add_user("ada", PASSWORD)
        server.run("users", "add", "newcomer", "--password", PASSWORD, "--temporary")
        server.start()

        # The document: no token needed.
        status, headers, data = server.request("GET", "/openapi.json")
        tally("GET /openapi.json without a token answers 200 JSON", status == 200 and
              headers.get("Content-Type", "").startswith("application/json"), f"{status} {headers}")
        doc = json.loads(data)
        tally("the document is OpenAPI 3.1", doc.get("openapi") == "3.1.0", doc.get("openapi"))
        work = tempfile.mkdtemp(prefix="k9-openapi-")
        doc_path = os.path.join(work, "openapi.json")
        with open(doc_path, "w") as f:
            json.dump(doc, f)

        # Redocly's lint (its recommended rules): no error, no warning.
        redocly = os.path.join(PEERS, "node_modules", ".bin", "redocly")
        lint = subprocess.run([redocly, "lint", doc_path, "--format=stylish"], capture_output=True, text=True,
                              env=dict(os.environ, REDOCLY_TELEMETRY="off", REDOCLY_SUPPRESS_UPDATE_NOTICE="true"))
        lint_out = lint.stdout + lint.stderr
        tally("redocly lint: valid", lint.returncode == 0, lint_out[-3000:])
        tally("redocly lint: no warnings", not re.search(r"You have \d+ warning", lint_out), lint_out[-3000:])

        # The page and its files, from beside the binary.
        status, headers, page = server.request("GET", "/docs")
        tally("GET /docs answers the HTML page", status == 200 and headers.get("Content-Type", "").startswith("text/html")
              and b"swagger-ui-bundle.js" in page and b"openapi.json" in page, f"{status} {headers}")
        tally("the page loads nothing from another origin", b"http://" not in page and b"https://" not in page and
              b"//cdn" not in page, page[:500])
        status, headers, js = server.request("GET", "/docs/swagger-ui-bundle.js")
        tally("GET /docs/swagger-ui-bundle.js answers the renderer", status == 200 and len(js) > 100_000 and
              "javascript" in headers.get("Content-Type", ""), f"{status} {headers.get('Content-Type')} {len(js)}")

        # Live values the examples' placeholders stand for.
        status, login = server.json("POST", "/auth/login", {"username": "ada", "password": PASSWORD})
        check(status == 200, f"login {status} {login}")
        status, challenge = server.json("POST", "/auth/login", {"username": "newcomer", "password": PASSWORD})
        check(status == 202, f"newcomer login {status} {challenge}")
        status, _, data = server.request("PUT", "/uploads/setup.jpg", photo, token=token)
        check(status == 201, f"upload {status} {data}")
        upload = json.loads(data)
        status, created = server.json("POST", "/reports", {"title": "Setup", "reference": {
            "model": "Oak", "images": [{"url": upload["key"]}]}}, token=token)
        check(status == 201, f"create {status} {created}")
        wait_ready(server, token, created["id"])
        report_id = created["id"]
        signed = urllib.parse.urlsplit(upload["url"])
        product_id = catalog[0]["id"]
        params = {"id": report_id, "productId": product_id, "job": "new-job-1"}
        keep_params = {"embeddings.similarity.get": {"productId"}, "webapp.album.put": set(), "files.get": set()}
        bodies = {
            "auth.login": {"username": "ada", "password": PASSWORD},
            "auth.refresh": {"username": "ada", "refreshToken": login["refreshToken"]},
            "auth.reset": {"username": "newcomer", "session": challenge["session"]},
            "reports.create": {"reference": {"images": [{"url": upload["key"]}]}},
            "embeddings.compute": {"product_data": {"images": [{"url": upload["key"]}]}},
            "reports.favorites.replace": {"favorites": [catalog[0]["id"], catalog[1]["id"]]},
            "webapp.favorites.replace": {"product_ids": [catalog[0]["id"]]},
            "webapp.favorites.toggle": {"product_id": catalog[1]["id"]},
        }

        ops = operations(doc)
        names = [n for n in ORDER if n in ops] + [n for n in ops if n not in ORDER]
        tally("every operation of ORDER is in the document", all(n in ops for n in ORDER),
              [n for n in ORDER if n not in ops])
        answers, sent = [], set()
        for name in names:
            path, method, op = ops[name]
            url = path
            query = {}
            for p in op.get("parameters", []):
                if p["in"] == "path":
                    value = p["example"]
                    if p["name"] in params and p["name"] not in keep_params.get(name, set()):
                        value = params[p["name"]]
                    url = url.replace("{" + p["name"] + "}", urllib.parse.quote(value, safe="/"))
                elif p["in"] == "query" and "example" in p:
                    query[p["name"]] = str(p["example"])
            if name == "files.get":  # a signed link: its key, expiry and signature as K9 made them
                url, query = signed.path, dict(urllib.parse.parse_qsl(signed.query))
            if query:
                url += "?" + urllib.parse.urlencode(query)
            headers, body = {}, None
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body = json.dumps(merge(content["application/json"].get("example"), bodies.get(name, {})))
                headers["Content-Type"] = "application/json"
            elif content:
                body = photo
                headers["Content-Type"] = "image/jpeg"
            bearer = op.get("security") != []
            status, resp_headers, data = server.request(method.upper(), url, body, token=token if bearer else None,
                                                        headers=headers, timeout=60)
            want = op["x-example-status"]
            tally(f"{name}: {method.upper()} {url[:70]} answers {want}", status == want, f"{status} {data[:300]}")
            ctype = resp_headers.get("Content-Type", "")
            documented = op["responses"].get(str(status), {}).get("content", {})
            if "application/json" in documented:
                try:
                    parsed = json.loads(data)
                except ValueError:
                    parsed = "<not JSON>"
                answers.append({"name": name, "path": path, "method": method, "status": status, "body": parsed})
            else:
                media = next(iter(documented), "")
                tally(f"{name}: answers {media or 'no body'}", not media or media == "application/octet-stream" or
                      ctype.startswith(media), f"{ctype}")
            sent.add(name)
            if bearer:  # the same request without a token: 401 and the error body
                status, _, data = server.request(method.upper(), url, body, headers=headers)
                tally(f"{name}: without a token answers 401", status == 401, f"{status} {data[:200]}")
                answers.append({"name": name + " (no token)", "path": path, "method": method, "status": status,
                                "body": json.loads(data)})
        tally("every operation was sent", sent == set(ops), set(ops) - sent)

        # A bad body and a bad token: the documented error body, with the request id.
        status, headers, data = server.request("POST", "/reports", json.dumps({"title": "x", "extra": 1}),
                                               token=token, headers={"Content-Type": "application/json",
                                                                     "X-Request-Id": "openapi-check-1"})
        tally("a bad body answers 400", status == 400, f"{status} {data}")
        answers.append({"name": "reports.create (bad body)", "path": "/reports", "method": "post", "status": status,
                        "body": json.loads(data)})

        answers_path = os.path.join(work, "answers.json")
        with open(answers_path, "w") as f:
            json.dump(answers, f)
        out = subprocess.run(["node", os.path.join(PEERS, "openapi_validate.mjs"), doc_path, answers_path],
                             capture_output=True, text=True)
        check(out.returncode == 0, f"openapi_validate.mjs: {out.stderr}")
        results = json.loads(out.stdout)
        tally("ajv checked every JSON answer", len(results) == len(answers), f"{len(results)} of {len(answers)}")
        for r in results:
            tally(f"{r['name']}: the answer matches the document's schema", r["ok"], r["error"])

    # Without the page's files: GET /docs is a 404 error body, the document is still served.
    with Server(k9, env={"K9_DOCS_DIR": os.path.join(tempfile.gettempdir(), "k9-no-such-docs")}) as bare:
        bare.start()
        status, body = bare.json("GET", "/docs")
        tally("without the page's files GET /docs answers 404 JSON", status == 404 and body.get("code") == "NotFound",
              f"{status} {body}")
        status, _, _ = bare.request("GET", "/openapi.json")
        tally("... and GET /openapi.json still 200", status == 200, status)
    return tally.summary(time.time() - t0)


if __name__ == "__main__":
    sys.exit(main())
