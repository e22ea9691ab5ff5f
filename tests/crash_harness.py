"""Crash-safety harness: SIGKILLs `k9 serve` at random moments under a mixed write load and
checks, after every kill, that

  - the SQLite file passes PRAGMA integrity_check and holds no half-written report (a report
    without its reference product, or a reference product without its report);
  - the server starts again and answers /healthz (the store opens clean);
  - every acknowledged write is there with its acknowledged content, and the one request
    per client that was in flight at the kill is either wholly there or wholly absent.

Each client is its own user and issues one request at a time, so its expected state is
exact: acknowledged state, plus at most one uncertain operation.

On demand:  python3 tests/crash_harness.py --k9 build/k9 --kills 100 [--clients 8] [--seed N]
In CI:      tests/test_crash_harness.py runs it with a few kills."""
import argparse
import http.client
import json
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from k9test import Server  # noqa: E402
import store_file  # noqa: E402

MAX_REPORTS_PER_CLIENT = 12


class Client:
    """One user's writer and what it knows the server must hold."""

    def __init__(self, index, token, seed):
        self.index = index
        self.token = token
        self.rng = random.Random(seed)
        self.reports = {}        # id -> {"title", "model", "favorites"}: acknowledged state
        self.profile_name = None  # acknowledged name (None until the first PATCH is acknowledged)
        self.uncertain = None    # (op, args) in flight when the server died
        self.counter = 0
        self.acked = 0           # acknowledged writes since the last check
        self.unexpected = []     # answers that are not what the operation should get

    # -- load -------------------------------------------------------------------------
    def next_op(self):
        ids = sorted(self.reports)
        roll = self.rng.random()
        if not ids or (roll < 0.35 and len(ids) < MAX_REPORTS_PER_CLIENT):
            self.counter += 1
            tag = f"c{self.index}-{self.counter}-{self.rng.randrange(1 << 30)}"
            return "create", {"title": "title " + tag, "model": "model " + tag}
        rid = self.rng.choice(ids)
        if roll < 0.50:
            self.counter += 1
            return "rename", {"id": rid, "title": f"renamed c{self.index}-{self.counter}"}
        if roll < 0.70:
            return "favorite", {"id": rid, "product": f"p-{self.rng.randrange(6)}", "on": self.rng.random() < 0.6}
        if roll < 0.78:
            picks = [f"p-{self.rng.randrange(6)}" for _ in range(self.rng.randrange(4))]
            return "favorites", {"id": rid, "list": picks}
        if roll < 0.86:
            self.counter += 1
            return "profile", {"name": f"name c{self.index}-{self.counter}"}
        return "delete", {"id": rid}

    @staticmethod
    def request_of(op, a):
        if op == "create":
            return "POST", "/reports", {"title": a["title"], "reference": {"model": a["model"], "images": [{"url": "x.jpg"}]}}
        if op == "rename":
            return "PATCH", f"/reports/{a['id']}", {"title": a["title"]}
        if op == "favorite":
            return "PUT", f"/reports/{a['id']}/favorites/{a['product']}", {"isFavorite": a["on"]}
        if op == "favorites":
            return "PUT", f"/reports/{a['id']}/favorites", {"favorites": a["list"]}
        if op == "profile":
            return "PATCH", "/user/profile", {"name": a["name"]}
        return "DELETE", f"/reports/{a['id']}", None

    def apply(self, op, a, answer):
        """The acknowledged effect of op on the expected state."""
        if op == "create":
            self.reports[answer["id"]] = {"title": a["title"], "model": a["model"], "favorites": []}
        elif op == "rename":
            self.reports[a["id"]]["title"] = a["title"]
        elif op in ("favorite", "favorites"):
            expected = favorites_after(self.reports[a["id"]]["favorites"], op, a)
            if answer["favorites"] != expected:
                self.unexpected.append((op, a, answer))
            self.reports[a["id"]]["favorites"] = answer["favorites"]
        elif op == "profile":
            self.profile_name = a["name"]
        else:
            del self.reports[a["id"]]

    def run(self, port, stop):
        """Writes until the server dies (or stop is set); the request in flight then is uncertain."""
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while not stop.is_set():
            op, a = self.next_op()
            method, path, body = self.request_of(op, a)
            self.uncertain = (op, a)
            try:
                conn.request(method, path, body=json.dumps(body) if body is not None else None,
                             headers={"Authorization": "Bearer " + self.token, "Content-Type": "application/json"})
                resp = conn.getresponse()
                data = resp.read()
            except (OSError, http.client.HTTPException):
                return  # killed under us: keep self.uncertain for the check
            self.uncertain = None
            if resp.status not in (200, 201):
                self.unexpected.append((op, a, resp.status, data[:200]))
                continue
            self.apply(op, a, json.loads(data))
            self.acked += 1
        self.uncertain = None
        conn.close()


def favorites_after(current, op, a):
    if op == "favorites":
        out = []
        for p in a["list"]:
            if p not in out:
                out.append(p)
        return out
    if a["on"]:
        return current if a["product"] in current else current + [a["product"]]
    return [p for p in current if p != a["product"]]


def list_all(server, token):
    ids, cursor = {}, None
    while True:
        path = "/reports?limit=100" + (f"&cursor={cursor}" if cursor else "")
        status, page = server.json("GET", path, token=token)
        assert status == 200, (status, page)
        for r in page["reports"]:
            ids[r["id"]] = r
        if not page["has_more"]:
            return ids
        cursor = page["next_cursor"]


def check_client(server, c):
    """Compares what the server holds with c's expected state and adopts it. Returns
    (problems, items compared: reports and the profile)."""
    problems = []
    op, a = c.uncertain or (None, None)
    listed = list_all(server, c.token)
    for rid in c.reports:
        if rid not in listed and not (op == "delete" and a["id"] == rid):
            problems.append(f"client {c.index}: acknowledged report {rid} is gone")
    for rid in listed:
        if rid in c.reports:
            continue
        status, got = server.json("GET", f"/reports/{rid}", token=c.token)
        if op == "create" and status == 200 and got["title"] == a["title"]:
            c.reports[rid] = {"title": a["title"], "model": a["model"], "favorites": []}  # it made it
        else:
            problems.append(f"client {c.index}: report {rid} nobody acknowledged or sent: {status} {got}")
    for rid, want in list(c.reports.items()):
        status, got = server.json("GET", f"/reports/{rid}", token=c.token)
        if status == 404 and op == "delete" and a["id"] == rid:
            del c.reports[rid]
            continue
        if status != 200:
            problems.append(f"client {c.index}: report {rid} answers {status}")
            continue
        titles = {want["title"]} | ({a["title"]} if op == "rename" and a["id"] == rid else set())
        favorites = [want["favorites"]]
        if op in ("favorite", "favorites") and a["id"] == rid:
            favorites.append(favorites_after(want["favorites"], op, a))
        reference = got.get("reference") or {}
        if got["title"] not in titles:
            problems.append(f"client {c.index}: report {rid} title {got['title']!r}, expected one of {titles}")
        if reference.get("model") != want["model"] or [i.get("url") for i in reference.get("images", [])] != ["x.jpg"]:
            problems.append(f"client {c.index}: report {rid} reference is half there: {reference}")
        if got["favorites"] not in favorites:
            problems.append(f"client {c.index}: report {rid} favorites {got['favorites']}, expected one of {favorites}")
        want["title"], want["favorites"] = got["title"], got["favorites"]
    status, profile = server.json("GET", "/user/profile", token=c.token)
    names = {c.profile_name} | ({a["name"]} if op == "profile" else set())
    if c.profile_name is not None or op == "profile":
        if status != 200 or profile["name"] not in names:
            problems.append(f"client {c.index}: profile name {profile.get('name')!r}, expected one of {names}")
        else:
            c.profile_name = profile["name"]
    problems += [f"client {c.index}: unexpected answer {u}" for u in c.unexpected]
    checked = len(c.reports) + (1 if c.profile_name else 0)
    c.acked, c.unexpected, c.uncertain = 0, [], None
    return problems, checked


def run(k9, kills, clients=8, seed=None, min_load=0.2, max_load=1.5, log=print):
    seed = seed if seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    server = Server(k9)
    db = os.path.join(server.data, "k9.db")
    stats = {"seed": seed, "kills": 0, "acknowledged": 0, "checked": 0, "in_flight_at_kill": 0}
    try:
        tokens = [server.add_user(f"crash{i}") for i in range(clients)]
        tokens_at = time.time()
        workers = [Client(i, tokens[i], rng.randrange(1 << 30)) for i in range(clients)]
        server.start()
        for kill in range(1, kills + 1):
            stop = threading.Event()
            threads = [threading.Thread(target=w.run, args=(server.port, stop)) for w in workers]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(min_load, max_load))
            server.kill()  # SIGKILL, requests in flight
            stop.set()
            for t in threads:
                t.join()
            stats["kills"] += 1
            stats["acknowledged"] += sum(w.acked for w in workers)
            in_flight = sum(1 for w in workers if w.uncertain)
            stats["in_flight_at_kill"] += in_flight

            problems = []
            verdict = store_file.integrity(db)
            if verdict != "ok":
                problems.append("integrity_check: " + verdict)
            problems += store_file.half_written(db)
            if time.time() - tokens_at > 40 * 60:  # tokens live an hour
                for w in workers:
                    w.token = server.run("token", f"crash{w.index}").stdout.strip()
                tokens_at = time.time()
            server.start()  # raises when the store does not open clean
            for w in workers:
                found, checked = check_client(server, w)
                problems += found
                stats["checked"] += checked
            if problems:
                raise AssertionError(f"after kill {kill} (seed {seed}):\n  " + "\n  ".join(problems[:20]))
            log(f"kill {kill}/{kills}: {in_flight} requests in flight; acknowledged writes so far "
                f"{stats['acknowledged']}, items compared {stats['checked']}")
        server.kill()
    finally:
        server.cleanup()
    return stats


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--k9", required=True, help="the k9 binary")
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seed", type=int)
    args = parser.parse_args()
    started = time.time()
    stats = run(os.path.abspath(args.k9), args.kills, args.clients, args.seed)
    print(json.dumps(dict(stats, seconds=round(time.time() - started, 1))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
