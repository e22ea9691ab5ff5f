"""Model versions side by side (issue 19) through the real binary, on small demo catalogs.
A fresh install imports and analyses with k9-classic-2, the default. A deployment whose catalog
has only k9-classic-1 (every one made before k9-classic-2 became the default) keeps it while
K9_MODEL_VERSION is unset: `k9 serve` analyses with k9-classic-1 and logs a warning naming
`k9 catalog reindex --model k9-classic-2`; a set version the catalog lacks stops the server with
that command named. The reindex writes the new version's snapshot beside the old and changes
nothing when run again; after it a restart picks k9-classic-2. GET /reports/{id} says which
version a report was analysed with (analysis.modelVersion), and a report of each version stays
searchable after the other became the server's version; an unknown version is refused."""
import json
import os
import subprocess
import time

from k9test import Server, check, k9_binary

COUNT = 10


def wait_ready(server, token, rid, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        status, report = server.json("GET", f"/reports/{rid}", token=token)
        check(status == 200, f"GET report: {status}")
        if report["analysis"]["status"] in ("ready", "failed"):
            check(report["analysis"]["status"] == "ready", report["analysis"])
            return report
        time.sleep(0.1)
    raise AssertionError(f"analysis of {rid} did not end")


def create_report(server, token, photo, target):
    status, up = server.json("PUT", "/uploads/floor.jpg", photo, token=token)
    check(status == 201, f"upload: {status} {up}")
    reference = {"model": "Mine", "category": {"type": target["category"]["type"]}, "images": [{"url": up["key"]}]}
    status, created = server.json("POST", "/reports", {"title": "Floor", "reference": reference}, token=token)
    check(status == 201, f"create: {status} {created}")
    return created["id"]


def top_of(server, token, rid):
    status, page = server.json("POST", f"/reports/{rid}/search", {"limit": 3}, token=token)
    check(status == 200 and page["total"] == COUNT, f"search: {status} {page}")
    return page["products"][0]["id"]


def serve_fails(server, timeout=60):
    """`k9 serve` that must stop at start: its exit code and what it said."""
    proc = subprocess.run([server.k9, "serve", "--port", "0"], env=server.env, capture_output=True, text=True,
                          timeout=timeout)
    return proc.returncode, proc.stdout + proc.stderr


def start_logged(server):
    """Starts the server; answers what it logged while starting."""
    before = len(server.read_log()) if os.path.exists(os.path.join(server.data, "server.log")) else 0
    server.start()
    return server.read_log()[before:]


UPGRADE = "k9 catalog reindex --model k9-classic-2"


def main():
    k9 = k9_binary()
    with Server(k9) as fresh:  # a fresh install: the default, k9-classic-2
        out = fresh.run("catalog", "demo", "--count", "3", "--photos", "1").stdout
        check("3 added" in out and "(k9-classic-2)" in out and "note:" not in out, out)
        check(sorted(os.listdir(os.path.join(fresh.data, "snapshots"))) == ["k9-classic-2.k9snap"], "fresh snapshots")
        log = start_logged(fresh)
        check(UPGRADE not in log, log)
        fresh.kill()

    with Server(k9) as server:
        help_text = server.run("--help").stdout
        check("K9_MODEL_VERSION" in help_text and "k9-classic-2" in help_text and UPGRADE in help_text,
              "k9 --help lists the setting and the upgrade")
        # A deployment of before: its catalog has only k9-classic-1.
        out = server.run("--model", "k9-classic-1", "catalog", "demo", "--count", str(COUNT), "--photos", "2").stdout
        check(f"{COUNT} added" in out and "(k9-classic-1)" in out, out)
        # An import with the version unset keeps the catalog's version, and says how to upgrade.
        out = server.run("catalog", "import", os.path.join(server.data, "demo-catalog")).stdout
        check(f"{COUNT} unchanged" in out and "(k9-classic-1)" in out and UPGRADE in out, out)
        check(os.listdir(os.path.join(server.data, "snapshots")) == ["k9-classic-1.k9snap"], "one version")

        token = server.add_user("mover")
        catalog = [json.loads(l) for l in open(os.path.join(server.data, "demo-catalog", "products.jsonl"))]
        target = catalog[3]
        photo = open(os.path.join(server.data, "demo-catalog", target["images"][1]["url"]), "rb").read()

        log = start_logged(server)  # unset: the version the catalog has, with one warning
        check(log.count(UPGRADE) == 1 and "no k9-classic-2 embeddings" in log, log)
        old = create_report(server, token, photo, target)
        report = wait_ready(server, token, old)
        check(report["analysis"]["modelVersion"] == "k9-classic-1", report["analysis"])
        check(top_of(server, token, old) == target["id"], "k9-classic-1 finds the product")
        server.kill()

        server.env["K9_MODEL_VERSION"] = "k9-classic-2"  # set, and the catalog lacks it: refused
        code, said = serve_fails(server)
        check(code != 0 and UPGRADE in said, said)
        del server.env["K9_MODEL_VERSION"]

        out = server.run("catalog", "reindex", "--model", "k9-classic-2").stdout
        check(f"{COUNT} added" in out and "k9-classic-2.k9snap" in out and "(rebuilt)" in out, out)
        out = server.run("catalog", "reindex", "--model", "k9-classic-2").stdout
        check(f"{COUNT} unchanged" in out and "0 images analysed" in out and "(up to date)" in out, out)
        snapshots = sorted(os.listdir(os.path.join(server.data, "snapshots")))
        check(snapshots == ["k9-classic-1.k9snap", "k9-classic-2.k9snap"], snapshots)
        bad = server.run("catalog", "reindex", "--model", "k9-classic-9", check=False)
        check(bad.returncode != 0 and "k9-classic-2" in bad.stderr + bad.stdout, bad.stderr)

        log = start_logged(server)  # after the reindex, a restart picks the default
        check(UPGRADE not in log, log)
        new = create_report(server, token, photo, target)
        report = wait_ready(server, token, new)
        check(report["analysis"]["modelVersion"] == "k9-classic-2", report["analysis"])
        check(top_of(server, token, new) == target["id"], "k9-classic-2 finds the product")
        status, report = server.json("GET", f"/reports/{old}", token=token)
        check(report["analysis"]["modelVersion"] == "k9-classic-1", "the old report keeps its version")
        check(top_of(server, token, old) == target["id"], "the k9-classic-1 report is searchable under k9-classic-2")
        server.kill()

        server.env["K9_MODEL_VERSION"] = "k9-classic-1"
        server.start()
        check(top_of(server, token, new) == target["id"], "the k9-classic-2 report is searchable under k9-classic-1")
        server.kill()

        server.env["K9_MODEL_VERSION"] = "k9-classic-9"
        bad = server.run("serve", "--port", "0", check=False)
        check(bad.returncode != 0 and "unknown model version" in bad.stderr + bad.stdout, bad.stderr)
    print("model versions: ok")


if __name__ == "__main__":
    main()
