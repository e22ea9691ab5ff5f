"""`k9 migrate` with the real binary (issue 17) on DynamoDB Local and SQLite files:
- boto3 (Debian's python3-boto3) writes a few thousand items of every attribute type into
  DynamoDB Local; they go DynamoDB -> sqlite:A -> DynamoDB (other tables) -> sqlite:B, and
  every copy holds every item equal attribute for attribute, numbers exact (38 digits);
- a second run changes nothing; a migration SIGKILLed in the middle and run again with its
  checkpoint ends with every item exactly once;
- the Python generation's embeddings table (keyed by product_id alone, written with boto3's
  resource API) migrates to SPEC's key (product_id + model_version python-legacy);
- bad input: an unknown URL scheme, a missing source, an unreachable target, a damaged
  checkpoint, a target holding other data (refused unless --merge), each a clear error and
  the target unchanged."""
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

from k9test import check, free_port, import_boto3, k9_binary

import_boto3()
from dynamodb_local import DynamoDbLocal, every_page  # noqa: E402
import store_file  # noqa: E402

TABLES = ("users", "reports", "products", "embeddings")
KEYS = {"users": ("user_id",), "reports": ("id",), "products": ("id",), "embeddings": ("product_id", "model_version")}
COUNTS = {"users": 1100, "reports": 1100, "products": 500, "embeddings": 500}


ENV = "mig"  # every table is k9-<kind>-mig; the databases are told apart by access key


def table(kind):
    return f"k9-{kind}-{ENV}"


def n(text):
    return {"N": text}


def make_items(kind, count, rnd):
    """`count` items of table `kind` in DynamoDB JSON, every attribute type among them."""
    items = []
    for i in range(count):
        item = {"s": {"S": f"héllo ✓ {i} \"q\""}, "big": n(f"{rnd.randrange(10**37, 10**38)}"),
                "frac": n(f"-{rnd.randrange(1, 10**20)}.{rnd.randrange(10**17, 10**18)}"),
                "tiny": n("1E-130") if i % 7 == 0 else n("0.000001"), "b": {"B": bytes([i % 256, 0, 255, 128])},
                "t": {"BOOL": i % 2 == 0}, "z": {"NULL": True},
                "m": {"M": {"inner": {"M": {"x": n(str(i))}}, "l": {"L": []}, "name": {"S": "nested"}}},
                "l": {"L": [{"S": "x"}, n("2.50"), {"L": [{"BOOL": True}]}]},
                "ss": {"SS": ["b", "a", f"s{i}"]}, "ns": {"NS": ["3", "1.5", str(i + 10)]},
                "bs": {"BS": [b"\x00", b"z"]}}
        if kind == "users":
            item["user_id"] = {"S": f"user-{i:05d}"}
        elif kind in ("reports", "products"):
            item["id"] = {"S": f"{kind[0]}-{i:05d}"}
            item["user_id"] = {"S": f"user-{i % 50:05d}"}
            item["created_at"] = {"S": f"2026-01-01T00:00:{i % 60:02d}.{i % 1000:03d}Z"}
        else:
            item["product_id"] = {"S": f"p-{i:05d}"}
            item["model_version"] = {"S": "k9-classic-1"}
            item["embedding_vector"] = {"L": [n(f"0.{rnd.randrange(10**30, 10**31)}") for _ in range(8)]}
            item["vector_dimension"] = n("8")
        items.append(item)
    return items


def same_value(a, b):
    (ta, va), = a.items()
    (tb, vb), = b.items()
    if ta != tb:
        return False
    if ta == "N":
        return Decimal(va) == Decimal(vb)
    if ta == "NS":
        return sorted(map(Decimal, va)) == sorted(map(Decimal, vb))
    if ta in ("SS", "BS"):
        return sorted(bytes(x) if ta == "BS" else x for x in va) == sorted(bytes(x) if ta == "BS" else x for x in vb)
    if ta == "B":
        return bytes(va) == bytes(vb)
    if ta == "M":
        return same_item(va, vb)
    if ta == "L":
        return len(va) == len(vb) and all(same_value(x, y) for x, y in zip(va, vb))
    return va == vb


def same_item(a, b):
    return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)


def key_of(kind, item):
    return tuple(item[k]["S"] for k in KEYS[kind])


def check_same(expected, got, what):
    """Every expected item in `got` exactly once and equal attribute for attribute; nothing else."""
    for kind, items in expected.items():
        have = {}
        for item in got[kind]:
            k = key_of(kind, item)
            check(k not in have, f"{what}: {kind} item {k} twice")
            have[k] = item
        check(len(have) == len(items), f"{what}: {kind} holds {len(have)} items, expected {len(items)}")
        for item in items:
            k = key_of(kind, item)
            check(k in have, f"{what}: {kind} item {k} missing")
            check(same_item(item, have[k]), f"{what}: {kind} item {k} differs:\n{item}\n{have[k]}")


def scan_typed(client, name):
    return every_page(client.scan, TableName=name)


class K9:
    def __init__(self, binary, ddb, data):
        self.binary, self.ddb, self.data = binary, ddb, data

    def env(self, db, **extra):
        """K9's environment on database `db` of DynamoDB Local (it keeps one per access key)."""
        env = dict(os.environ, **self.ddb.env())
        env.update(AWS_ACCESS_KEY_ID=f"k9{db}", K9_STORE="dynamodb", K9_DATA=self.data, ENVIRONMENT=ENV)
        env.update(extra)  # may name another store
        return env

    def client(self, db):
        """boto3's low-level client on database `db`: items in DynamoDB JSON, as written and read back."""
        return import_boto3().client("dynamodb", endpoint_url=self.ddb.endpoint, region_name="us-east-1",
                                     aws_access_key_id=f"k9{db}", aws_secret_access_key="k9localsecret")

    def run(self, db, *args, ok=True, **extra):
        started = time.monotonic()
        res = subprocess.run([self.binary, *args], env=self.env(db, **extra), capture_output=True, text=True,
                             timeout=240)
        if ok:
            check(res.returncode == 0, f"k9 {' '.join(args)} failed ({res.returncode}): {res.stderr[-3000:]}")
        print(f"k9 {' '.join(args)} (database {db}): exit {res.returncode} in "
              f"{time.monotonic() - started:.1f} s; {(res.stdout or res.stderr).strip().splitlines()[-1:]}")
        return res


def seed(k9, counts, rnd, db="seed"):
    """boto3 fills database `db`'s tables (`k9 tables create` makes them) with `counts` items of
    each kind, every attribute type among them; returns them as written."""
    originals = {kind: make_items(kind, count, rnd) for kind, count in counts.items()}
    k9.run(db, "tables", "create")
    client = k9.client(db)
    for kind, items in originals.items():
        for i in range(0, len(items), 25):
            request = {table(kind): [{"PutRequest": {"Item": it}} for it in items[i:i + 25]]}
            for _ in range(20):
                request = client.batch_write_item(RequestItems=request).get("UnprocessedItems")
                if not request:
                    break
                time.sleep(0.1)
            check(not request, "boto3 could not write its batch")
    return originals


def main():
    k9_path = k9_binary()
    work = tempfile.mkdtemp(prefix="k9-migrate-test-")
    rnd = random.Random(17)
    try:
        with DynamoDbLocal() as ddb:
            k9 = K9(k9_path, ddb, os.path.join(work, "data"))
            originals = seed(k9, COUNTS, rnd)
            total = sum(COUNTS.values())

            # DynamoDB -> sqlite:A -> DynamoDB ("rt" tables) -> sqlite:B, each equal to what boto3 wrote.
            a, b = os.path.join(work, "a", "k9.db"), os.path.join(work, "b", "k9.db")
            out = k9.run("seed", "migrate", "--from", "dynamodb", "--to", f"sqlite:{a}").stdout
            check(f"{total} items written" in out and "every table verified" in out, out)
            check_same(originals, {k: store_file.typed_items(a, table(k)) for k in TABLES}, "sqlite:A")
            k9.run("rt", "migrate", "--from", f"sqlite:{a}", "--to", "dynamodb")
            client = k9.client("rt")
            check_same(originals, {k: scan_typed(client, table(k)) for k in TABLES}, "DynamoDB Local (rt)")
            k9.run("rt", "migrate", "--from", "dynamodb", "--to", f"sqlite:{b}")
            check_same(originals, {k: store_file.typed_items(b, table(k)) for k in TABLES}, "sqlite:B")
            print(f"round trip DynamoDB -> sqlite -> DynamoDB -> sqlite: {total} items equal attribute for attribute")

            # A second run writes the same items and changes nothing (no --merge needed).
            out = k9.run("rt", "migrate", "--from", f"sqlite:{a}", "--to", "dynamodb").stdout
            check("every table verified" in out, out)
            check_same(originals, {k: scan_typed(client, table(k)) for k in TABLES}, "after a second run")

            # SIGKILL in the middle, then again with the checkpoint: every item exactly once.
            checkpoint = os.path.join(work, "kill.checkpoint")
            proc = subprocess.Popen([k9_path, "migrate", "--from", f"sqlite:{a}", "--to", "dynamodb", "--checkpoint",
                                     checkpoint], env=k9.env("kill"), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            deadline, copied = time.monotonic() + 120, 0
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    with open(checkpoint) as f:
                        copied = json.load(f)["copied"]
                except (OSError, ValueError):
                    pass
                if copied >= 600:
                    break
                time.sleep(0.01)
            if proc.poll() is not None:
                raise AssertionError(f"the migration ended before it could be killed: {proc.communicate()}")
            print(f"killing the migration at {copied} items copied")
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            with open(checkpoint) as f:
                saved = json.load(f)
            check(0 < saved["copied"] < total, f"killed after {saved['copied']} of {total} items")
            print(f"killed with {saved['copied']} items copied, in table {saved['table']}")
            out = k9.run("kill", "migrate", "--from", f"sqlite:{a}", "--to", "dynamodb", "--checkpoint", checkpoint).stdout
            check("resumed from the checkpoint" in out and "every table verified" in out, out)
            written = int(out.split(" items written")[0].rsplit(" ", 1)[1])
            check(written <= total - saved["copied"], f"the resumed run wrote {written} items: it did not resume")
            check(not os.path.exists(checkpoint), "the checkpoint is removed once verified")
            check_same(originals, {k: scan_typed(k9.client("kill"), table(k)) for k in TABLES}, "after kill and resume")

            # The Python generation's embeddings table: keyed by product_id alone, boto3's resource API.
            legacy = import_boto3().resource("dynamodb", endpoint_url=ddb.endpoint, region_name="us-east-1",
                                             aws_access_key_id="k9legacy",
                                             aws_secret_access_key="k9localsecret").create_table(
                TableName=table("embeddings"), BillingMode="PAY_PER_REQUEST",
                KeySchema=[{"AttributeName": "product_id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "product_id", "AttributeType": "S"}])
            legacy.wait_until_exists()
            vector = [Decimal("0.125"), Decimal("-1.5"), Decimal("3.14159265358979323846264338327950288")]
            legacy.put_item(Item={"product_id": "py-1", "embedding_vector": vector, "vector_dimension": 3,
                                  "created_at": "2025-01-02T03:04:05.678Z"})
            c = os.path.join(work, "c", "k9.db")
            k9.run("legacy", "migrate", "--from", "dynamodb", "--to", f"sqlite:{c}")
            got = store_file.items(c, table("embeddings"))
            check(len(got) == 1 and got[0]["model_version"] == "python-legacy" and got[0]["product_id"] == "py-1", got)
            check([Decimal(x) for x in got[0]["embedding_vector"]] == vector, got)
            print("legacy embeddings item (product_id alone) now keyed product_id + python-legacy")

            # Bad input: each a clear error, the target unchanged.
            res = k9.run("rt", "migrate", "--from", f"sqlite:{a}", "--to", "postgres://x", ok=False)
            check(res.returncode != 0 and "unsupported store URL 'postgres://x'" in res.stderr, res.stderr)
            missing = os.path.join(work, "absent", "k9.db")
            res = k9.run("rt", "migrate", "--from", f"sqlite:{missing}", "--to", f"sqlite:{work}/d/k9.db", ok=False)
            check(res.returncode != 0 and "does not exist" in res.stderr and missing in res.stderr, res.stderr)
            check(not os.path.exists(missing) and not os.path.exists(f"{work}/d"), "nothing made for a bad source")
            bad = os.path.join(work, "bad.checkpoint")
            with open(bad, "w") as f:
                f.write('{"format": "k9-migrate-checkpoint", "version": 1, "from": ')
            res = k9.run("rt", "migrate", "--from", f"sqlite:{a}", "--to", f"sqlite:{work}/e/k9.db", "--checkpoint", bad,
                         ok=False)
            check(res.returncode != 0 and bad in res.stderr and "not a k9 migrate checkpoint" in res.stderr, res.stderr)
            check(not os.path.exists(f"{work}/e"), "a damaged checkpoint leaves the target unmade")
            closed = f"http://127.0.0.1:{free_port()}"
            res = k9.run("rt", "migrate", "--from", f"sqlite:{a}", "--to", "dynamodb", ok=False,
                         AWS_ENDPOINT_URL_DYNAMODB=closed)
            check(res.returncode != 0 and "does not answer" in res.stderr and closed in res.stderr, res.stderr)
            # A target holding an item the source does not: refused (nothing written), then --merge.
            stranger = {"user_id": {"S": "stranger"}, "note": {"S": "not in the source"}}
            client.put_item(TableName=table("users"), Item=stranger)
            client.delete_item(TableName=table("reports"), Key={"id": {"S": "r-00007"}})
            res = k9.run("rt", "migrate", "--from", f"sqlite:{b}", "--to", "dynamodb", ok=False)
            check(res.returncode != 0 and "holds other data" in res.stderr and "stranger" in res.stderr
                  and "--merge" in res.stderr, res.stderr)
            check("Item" not in client.get_item(TableName=table("reports"), Key={"id": {"S": "r-00007"}}),
                  "the refused migration wrote to the target")
            out = k9.run("rt", "migrate", "--from", f"sqlite:{b}", "--to", "dynamodb", "--merge").stdout
            check("every table verified" in out, out)
            users = scan_typed(client, table("users"))
            check(len(users) == COUNTS["users"] + 1 and stranger in users, "--merge keeps the target's own items")
            check_same({"reports": originals["reports"]}, {"reports": scan_typed(client, table("reports"))},
                       "after --merge")
            return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
