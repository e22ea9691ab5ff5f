"""Backend faults on DynamoDB (SPEC section 6, issue 4): K9 with --store dynamodb talks to
DynamoDB Local through tests/fault_proxy.py, which throttles, answers 500s and cuts
connections before and after forwarding.

1. Lost answers: the first attempt of every write (PutItem, UpdateItem, DeleteItem,
   TransactWriteItems) reaches DynamoDB and is applied, then its connection is cut. Every
   request must still answer as if nothing had happened: the retried transaction carries the
   same ClientRequestToken (so it is not applied twice and does not fail its
   attribute_not_exists conditions), and a retried conditional put or update that finds its
   own write already in place is a success, not a conflict (users add, login, refresh,
   profile, favorites).
2. Faults within the retry budget under a write load (reports and favorites from four
   threads): every request answers 200/201, or 503 with Retry-After.
3. Faults beyond the budget (every attempt fails): 503 with Retry-After.
4. With the proxy out of the way, boto3 reads the tables directly: no report without its
   reference product or product without its report, every 201 report exists, favorites are
   what the last acknowledged change said."""
import json
import threading
import time

from dynamodb_local import k9_behind_fault_proxy
from k9test import check, import_boto3

import_boto3()  # for DynamoDbLocal.scan

ENV = "faults"
WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems")


def report_body(i):
    return {"title": f"Floor {i}", "reference": {"brand": "Acme", "model": f"Oak {i}", "category": {"type": "tile"},
                                                 "formats": [{"length": {"val": 12.5, "unit": "in"}}]}}


def check_status(status, headers, what, allowed):
    check(status in allowed, f"{what}: status {status}, expected one of {allowed}")
    if status == 503:
        check(int(headers.get("Retry-After", "0")) > 0, f"{what}: 503 without Retry-After: {headers}")


def lost_answers(server, proxy, token):
    """Phase 1: every write is applied and its first answer lost."""
    proxy.set(cut_after_first=WRITES)

    # users add through the proxy: a conditional put retried after it happened.
    out = server.run("users", "add", "bob", "--password", "Correct-horse-2", check=False)
    check(out.returncode == 0, f"users add with a lost answer failed: {out.stdout} {out.stderr}")

    status, profile = server.json("GET", "/user/profile", token=token)
    check(status == 200, (status, profile))
    status, profile = server.json("PATCH", "/user/profile", {"name": "Alice Fault"}, token)
    check(status == 200 and profile["name"] == "Alice Fault", (status, profile))

    ids = []
    for i in range(3):
        status, created = server.json("POST", "/reports", report_body(i), token)
        check(status == 201, f"create with a lost answer: {status} {created}")
        ids.append(created["id"])
    check(proxy.total("cut_after", "TransactWriteItems") >= 3, proxy.counts)
    # Each transaction reached DynamoDB twice, both times with the same token.
    retried = [t for t, n in proxy.tokens.items() if n >= 2]
    check(len(retried) >= 3 and None not in proxy.tokens, f"tokens forwarded: {dict(proxy.tokens)}")

    status, fav = server.json("PUT", f"/reports/{ids[0]}/favorites/p-1", {"isFavorite": True}, token)
    check(status == 200 and fav["favorites"] == ["p-1"], (status, fav))
    status, fav = server.json("PUT", f"/reports/{ids[0]}/favorites/p-2", {"isFavorite": True}, token)
    check(status == 200 and fav["favorites"] == ["p-1", "p-2"], (status, fav))
    status, fav = server.json("PUT", f"/reports/{ids[0]}/favorites/p-1", {"isFavorite": False}, token)
    check(status == 200 and fav["favorites"] == ["p-2"], (status, fav))
    status, fav = server.json("PUT", f"/reports/{ids[1]}/favorites", {"favorites": ["a", "b", "a"]}, token)
    check(status == 200 and fav["favorites"] == ["a", "b"], (status, fav))
    status, report = server.json("PATCH", f"/reports/{ids[1]}", {"title": "Renamed"}, token)
    check(status == 200 and report["title"] == "Renamed", (status, report))

    status, _ = server.json("DELETE", f"/reports/{ids[2]}", token=token)
    check(status == 200, f"delete with a lost answer: {status}")
    status, _ = server.json("GET", f"/reports/{ids[2]}", token=token)
    check(status == 404, status)

    # Sign-in: the refresh token is stored with a conditional put, and redeeming it marks it
    # used with a conditional update. A lost answer must not look like a reused token.
    status, login = server.json("POST", "/auth/login", {"username": "bob", "password": "Correct-horse-2"})
    check(status == 200, f"login with a lost answer: {status} {login}")
    status, refreshed = server.json("POST", "/auth/refresh", {"username": "bob", "refreshToken": login["refreshToken"]})
    check(status == 200, f"refresh with a lost answer: {status} {refreshed}")
    status, again = server.json("POST", "/auth/refresh", {"username": "bob", "refreshToken": login["refreshToken"]})
    check(status == 401, f"a really reused refresh token must still be refused: {status} {again}")

    for op in ("PutItem", "UpdateItem", "TransactWriteItems"):
        check(proxy.total("cut_after", op) >= 1, f"no lost answer for {op}: {proxy.counts}")
    proxy.clear()
    return ids[:2], {ids[0]: ["p-2"], ids[1]: ["a", "b"]}


def write_load(server, token, threads, rounds, expect_success):
    """Creates reports and changes their favorites from several threads; returns what was
    acknowledged."""
    lock = threading.Lock()
    created, favorites, statuses, errors = [], {}, [], []

    def worker(w):
        try:
            for r in range(rounds):
                status, headers, data = server.request("POST", "/reports", report_body(f"{w}-{r}"), token, timeout=60)
                check_status(status, headers, "POST /reports", (201, 503))
                with lock:
                    statuses.append(status)
                if status != 201:
                    continue
                rid = json.loads(data)["id"]
                with lock:
                    created.append(rid)
                for step, (path, body) in enumerate([
                        (f"/reports/{rid}/favorites/x-{w}", {"isFavorite": True}),
                        (f"/reports/{rid}/favorites/y-{w}", {"isFavorite": True}),
                        (f"/reports/{rid}/favorites/x-{w}", {"isFavorite": False}),
                        (f"/reports/{rid}/favorites", {"favorites": [f"z-{r}", f"y-{w}"]})]):
                    status, headers, data = server.request("PUT", path, body, token, timeout=60)
                    check_status(status, headers, f"PUT {path}", (200, 503))
                    with lock:
                        statuses.append(status)
                        # Only an acknowledged last change says what the favorites must be.
                        favorites[rid] = json.loads(data)["favorites"] if status == 200 else None
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            errors.append(e)

    pool = [threading.Thread(target=worker, args=(w,)) for w in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if errors:
        raise errors[0]
    ok = sum(1 for s in statuses if s in (200, 201))
    if expect_success:
        check(ok >= 0.9 * len(statuses), f"only {ok} of {len(statuses)} requests succeeded within the retry budget")
    else:
        check(ok == 0, f"{ok} requests succeeded although every attempt failed")
    return created, favorites, statuses


def main():
    started = time.time()
    # Rotation on: the lost-answer check of a refresh needs used tokens to be refused.
    with k9_behind_fault_proxy(ENV, seed=4, K9_REFRESH_ROTATION="on") as (ddb, proxy, server, token):
        kept, favorites = lost_answers(server, proxy, token)
        created = list(kept)

        proxy.set(throttle=0.10, error500=0.05, cut_before=0.05, cut_after=0.10)
        made, favs, statuses = write_load(server, token, threads=4, rounds=5, expect_success=True)
        created += made
        favorites.update(favs)
        for outcome in ("throttle", "error500", "cut_before", "cut_after"):
            check(proxy.total(outcome) > 0, f"the proxy injected no {outcome}: {proxy.counts}")
        print(f"within budget: {len(statuses)} requests, {statuses.count(503)} answered 503; "
              f"faults {dict((k, proxy.total(k)) for k in ('throttle', 'error500', 'cut_before', 'cut_after'))}")

        # Beyond the budget: every attempt fails; some writes still land (cut after forwarding).
        proxy.set(throttle=0.5, error500=0.2, cut_after=0.3)
        t0 = time.time()
        _, _, statuses = write_load(server, token, threads=4, rounds=1, expect_success=False)
        for rid in kept:  # changes to existing reports, whose outcome is unknown to the caller
            status, headers, _ = server.request("PUT", f"/reports/{rid}/favorites", {"favorites": ["lost"]}, token,
                                                timeout=60)
            check_status(status, headers, "PUT favorites beyond the budget", (503,))
            statuses.append(status)
            favorites[rid] = None
        print(f"beyond budget: {len(statuses)} requests answered 503 with Retry-After in {time.time() - t0:.1f} s")
        proxy.clear()

        # Proxy out of the way: read the tables directly.
        reports = {r["id"]: r for r in ddb.scan(f"k9-reports-{ENV}")}
        products = {p["id"]: p for p in ddb.scan(f"k9-products-{ENV}")}
        for rid, r in reports.items():
            ref = r.get("reference")
            check(isinstance(ref, str) and ref in products, f"report {rid} has no reference product: {r}")
            p = products[ref]
            check(p.get("report_id") == rid and p.get("user_id") == r["user_id"], f"product {ref} of {rid}: {p}")
        for pid, p in products.items():
            if "report_id" in p:
                check(p["report_id"] in reports, f"product {pid} outlived its report {p['report_id']}")
        missing = [rid for rid in created if rid not in reports]
        check(not missing, f"acknowledged reports missing: {missing}")
        for rid, fav in favorites.items():
            if fav is not None:
                check(list(reports[rid].get("favorites", [])) == fav, f"{rid}: {reports[rid].get('favorites')} != {fav}")

        status, page = server.json("GET", "/reports?limit=100", token=token)
        check(status == 200 and page["total"] == len(reports), f"K9 lists {page.get('total')} of {len(reports)} reports")
        print(f"consistent: {len(reports)} reports, {len(products)} products, {len(created)} acknowledged; "
              f"{time.time() - started:.1f} s")


if __name__ == "__main__":
    main()
