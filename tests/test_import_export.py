"""`k9 export` and `k9 import` with the real binary (issue 17):
- boto3 writes items of every attribute type into DynamoDB Local; `k9 export` writes them in
  DynamoDB's export layout (read here with Python's gzip and json, as AWS's import reads
  it); `k9 import` carries them into an SQLite store, that store's export into another
  DynamoDB database: every copy equal attribute for attribute, numbers exact;
- one table exported alone goes where --table says;
- bad input: a cut data file, a manifest that does not match its files, a store holding other
  data without --merge, a folder with nothing to import: each a clear error naming the file,
  the target unchanged;
- the DuckDB generation: a real DuckDB file made by DuckDB from its schema.sql, turned into
  JSON lines by scripts/duckdb-export.mjs, imported; a DuckDB file of another schema refused
  naming the file."""
import glob
import gzip
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

from k9test import check, import_boto3, k9_binary

import_boto3()
from dynamodb_local import DynamoDbLocal  # noqa: E402
import store_file  # noqa: E402
from test_migrate import K9, TABLES, check_same, scan_typed, seed, table  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
COUNTS = {"users": 260, "reports": 240, "products": 120, "embeddings": 130}
SCHEMA = os.path.join(ROOT, "..", "shared", "testdata", "duckdb-generation", "schema.sql")
if not os.path.exists(SCHEMA):
    SCHEMA = "/work/shared/testdata/duckdb-generation/schema.sql"


def read_export(folder):
    """The items of one table folder, as AWS's import from S3 reads it: the manifests, then
    each gzipped data file's {"Item": ...} lines."""
    summaries = glob.glob(os.path.join(folder, "AWSDynamoDB", "*", "manifest-summary.json"))
    check(len(summaries) == 1, f"{folder}: one export, found {summaries}")
    with open(summaries[0]) as f:
        summary = json.load(f)
    check(summary["outputFormat"] == "DYNAMODB_JSON" and summary["version"] == "2020-06-30", summary)
    items = []
    with open(os.path.join(folder, summary["manifestFilesS3Key"])) as f:
        for line in f:
            entry = json.loads(line)
            with gzip.open(os.path.join(folder, entry["dataFileS3Key"]), "rt", encoding="utf-8") as data:
                lines = [json.loads(x) for x in data if x.strip()]
            check(len(lines) == entry["itemCount"], f"{entry['dataFileS3Key']}: count")
            items += [x["Item"] for x in lines]
    check(len(items) == summary["itemCount"], f"{folder}: summary count")
    return items


def as_boto_json(items):
    """DynamoDB JSON as Python's json reads it (B and BS base64 text) -> as boto3's client gives it."""
    import base64

    def value(v):
        (t, x), = v.items()
        if t == "B":
            return {"B": base64.b64decode(x)}
        if t == "BS":
            return {"BS": [base64.b64decode(b) for b in x]}
        if t == "M":
            return {"M": {k: value(y) for k, y in x.items()}}
        if t == "L":
            return {"L": [value(y) for y in x]}
        return v
    return [{k: value(v) for k, v in item.items()} for item in items]


def main():
    k9_path = k9_binary()
    work = tempfile.mkdtemp(prefix="k9-import-export-test-")
    rnd = random.Random(23)
    try:
        with DynamoDbLocal() as ddb:
            k9 = K9(k9_path, ddb, os.path.join(work, "data"))
            originals = seed(k9, COUNTS, rnd)

            # DynamoDB -> export -> sqlite:A -> export -> DynamoDB ("rt"): equal every time.
            x = os.path.join(work, "x")
            out = k9.run("seed", "export", "--to", x, "--items-per-file", "100").stdout
            check("every table read back and verified" in out, out)
            check(set(os.listdir(x)) == set(TABLES) | {"identities", "refresh-tokens", "jobs"},
                  f"one folder a table: {os.listdir(x)}")
            check_same(originals, {k: as_boto_json(read_export(os.path.join(x, k))) for k in TABLES}, "the export")
            users_files = glob.glob(os.path.join(x, "users", "AWSDynamoDB", "*", "data", "*.json.gz"))
            check(len(users_files) == 3, f"260 users, 100 a file: {users_files}")
            a = os.path.join(work, "a", "k9.db")
            out = k9.run("seed", "import", "--from", x, K9_STORE=f"sqlite:{a}").stdout
            check(f"{sum(COUNTS.values())} items written" in out and "every table verified" in out, out)
            check_same(originals, {k: store_file.typed_items(a, table(k)) for k in TABLES}, "sqlite:A")
            y = os.path.join(work, "y")
            k9.run("seed", "export", "--to", y, K9_STORE=f"sqlite:{a}")
            k9.run("rt", "import", "--from", y)
            check_same(originals, {k: scan_typed(k9.client("rt"), table(k)) for k in TABLES}, "DynamoDB (rt)")
            print(f"round trip DynamoDB -> export -> sqlite -> export -> DynamoDB: {sum(COUNTS.values())} items equal")
            # Again: the same items are not other data; nothing changes.
            out = k9.run("rt", "import", "--from", y).stdout
            check("every table verified" in out, out)

            # One table's export, where --table says.
            res = k9.run("one", "import", "--from", os.path.join(y, "users"), ok=False)
            check(res.returncode != 0 and "--table" in res.stderr, res.stderr)
            k9.run("one", "import", "--from", os.path.join(y, "users"), "--table", "users")
            got = scan_typed(k9.client("one"), table("users"))
            check_same({"users": originals["users"]}, {"users": got}, "one table")

            # Bad input, each against a target that must stay as it is.
            target = os.path.join(work, "t", "k9.db")
            k9.run("seed", "users", "add", "stranger", "--password", "a-long-password-1", K9_STORE=f"sqlite:{target}")
            kinds = ("identities", "users", "products")
            before = {k: store_file.items(target, table(k)) for k in kinds}
            check(len(before["identities"]) == 1, before)

            def unchanged(what):
                check({k: store_file.items(target, table(k)) for k in kinds} == before, f"{what}: the target changed")

            cut = os.path.join(work, "cut")
            shutil.copytree(y, cut)
            data = sorted(glob.glob(os.path.join(cut, "users", "AWSDynamoDB", "*", "data", "*.json.gz")))[0]
            with open(data, "r+b") as f:
                f.truncate(os.path.getsize(data) // 2)
            res = k9.run("seed", "import", "--from", cut, "--merge", ok=False, K9_STORE=f"sqlite:{target}")
            check(res.returncode != 0 and data in res.stderr and "MD5" in res.stderr, res.stderr)
            unchanged("a cut data file")

            lying = os.path.join(work, "lying")
            shutil.copytree(y, lying)
            manifest = glob.glob(os.path.join(lying, "reports", "AWSDynamoDB", "*", "manifest-files.json"))[0]
            with open(manifest) as f:
                entries = [json.loads(line) for line in f if line.strip()]
            entries[0]["itemCount"] += 1
            with open(manifest, "w") as f:
                f.write("".join(json.dumps(e) + "\n" for e in entries))
            os.remove(manifest.replace(".json", ".md5"))  # as AWS writes them: no .md5 of K9's
            res = k9.run("seed", "import", "--from", lying, "--merge", ok=False, K9_STORE=f"sqlite:{target}")
            check(res.returncode != 0 and "manifest-files.json says" in res.stderr, res.stderr)
            unchanged("a manifest that does not match its files")

            res = k9.run("seed", "import", "--from", y, ok=False, K9_STORE=f"sqlite:{target}")
            check(res.returncode != 0 and "holds other data" in res.stderr and "stranger" in res.stderr
                  and "--merge" in res.stderr, res.stderr)
            unchanged("a store holding other data")
            empty = os.path.join(work, "empty")
            os.makedirs(empty)
            res = k9.run("seed", "import", "--from", empty, ok=False, K9_STORE=f"sqlite:{target}")
            check(res.returncode != 0 and "holds nothing to import" in res.stderr, res.stderr)
            res = k9.run("seed", "export", "--to", y, ok=False, K9_STORE=f"sqlite:{target}")
            check(res.returncode != 0 and "holds files already" in res.stderr, res.stderr)
            unchanged("bad folders")

        # The DuckDB generation, made by DuckDB itself.
        duck = os.path.join(work, "k9_api.db")
        sql = os.path.join(work, "generation.sql")
        with open(SCHEMA) as f:
            schema = f.read()
        with open(sql, "w") as f:
            f.write(schema + """
INSERT INTO users VALUES ('u1', 'Una', 'una@example.com', NULL,
  '{"defaultReportTitle": "Kitchen", "autoSaveFavorites": true, "exportFormat": "csv"}',
  TIMESTAMP '2025-01-02 03:04:05.678901', TIMESTAMP '2025-01-03 00:00:00');
INSERT INTO reports VALUES ('r1', 'Floor', 'Una', '2025-01-02', 'u1',
  '{"id": "ref-1", "model": "Oak", "category": {"type": "Plank"},
    "formats": [{"length": {"val": 12345678901234567890.5, "unit": "in"}}]}',
  '["p1", "p2"]', TIMESTAMP '2025-01-02 03:04:05', NULL);
INSERT INTO product_embeddings VALUES ('p1', '[0.25, -1.5, 3.141592653589793238462643383279]', 'k9-classic-1', 3,
  TIMESTAMP '2025-01-02 03:04:05');
""")
        node = ["node", os.path.join(HERE, "peers", "duckdb-sql.mjs"), duck, sql]
        res = subprocess.run(node, capture_output=True, text=True, timeout=120)
        check(res.returncode == 0, f"DuckDB could not make the file: {res.stderr}")
        lines = os.path.join(work, "duck-lines")
        res = subprocess.run(["node", os.path.join(ROOT, "scripts", "duckdb-export.mjs"), duck, lines],
                             capture_output=True, text=True, timeout=120)
        check(res.returncode == 0, f"duckdb-export: {res.stderr}")
        d = os.path.join(work, "d", "k9.db")
        out = subprocess.run([k9_path, "import", "--from", lines], env=dict(os.environ, K9_STORE=f"sqlite:{d}"),
                             capture_output=True, text=True, timeout=120)
        check(out.returncode == 0 and "3 items written" in out.stdout, out.stderr)
        user, = store_file.items(d, "k9-users-dev")
        check(user["preferences"] == {"defaultReportTitle": "Kitchen", "autoSaveFavorites": True, "exportFormat": "csv"}
              and user["created_at"] == "2025-01-02T03:04:05.678Z" and "avatar_url" not in user, user)
        report, = store_file.items(d, "k9-reports-dev")
        check(report["reference"]["model"] == "Oak" and report["favorites"] == ["p1", "p2"], report)
        check(str(report["reference"]["formats"][0]["length"]["val"]) == "12345678901234567890.5", report)
        emb, = store_file.items(d, "k9-embeddings-dev")
        check([str(v) for v in emb["embedding_vector"]] == ["0.25", "-1.5", "3.141592653589793238462643383279"], emb)
        print("the DuckDB generation's file imported: users, reports, embeddings, numbers exact")

        # A DuckDB file of another schema: refused by the export step, naming the file.
        other = os.path.join(work, "other.db")
        with open(sql, "w") as f:
            f.write(schema.replace("avatar_url VARCHAR,", "avatar_url VARCHAR, shoe_size INTEGER,"))
        subprocess.run(["node", os.path.join(HERE, "peers", "duckdb-sql.mjs"), other, sql], check=True, timeout=120)
        res = subprocess.run(["node", os.path.join(ROOT, "scripts", "duckdb-export.mjs"), other,
                              os.path.join(work, "other-lines")], capture_output=True, text=True, timeout=120)
        check(res.returncode != 0 and other in res.stderr and "shoe_size" in res.stderr, res.stderr)
        check(not os.path.exists(os.path.join(work, "other-lines")), "nothing written for another schema")
        print("a DuckDB file of another schema refused")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
