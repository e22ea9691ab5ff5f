"""The published web app's requests (../shared/webapp, docs/WEBAPP.md) against the real `k9 serve`
with the demo catalog, sent over HTTP exactly as the app sends them: the headers of its fetch
calls (Content-Type: application/json on every call, GET included; the ID token as Bearer; the
album's image type on uploads; the Origin of a page served elsewhere), its job id, its bodies,
and its reading of the answers (statuses it requires exactly, the shapes it parses, distances,
units). Covers: sign-in and two refreshes with the same refresh token, the dashboard, album
uploads, PUT /fetch/{job} answering 200 once the analysis is ready, the reference, searches with
the app's filter bodies and `start`, a product, favorites, image links fetched cross-origin
(CORS), another user's job, bad input, and K9's own export numbering products as the app does."""
import csv
import io
import json
import os
import random
import time
import urllib.request
import zipfile
from datetime import datetime

from k9test import Server, check, k9_binary

COUNT = 40
APP_ORIGIN = "http://localhost:3000"  # where the app's pages are served (another origin)


def base36(n):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out or "0"


def encode_report_title(title):
    """The app's jobIdentifiers.ts encodeReportTitle (ASCII titles)."""
    import re
    unique = base36(int(time.time() * 1000)) + base36(random.getrandbits(31))[:6]
    t = re.sub(r"\s+", "-", title.lower())
    t = re.sub(r"[^\w\-]", "", t, flags=re.ASCII)
    t = re.sub(r"-+", "-", t).strip("-")
    return f"{unique}__title__{t}"


class App:
    """The app's transport (src/lib/api/client.ts, auth.ts, originalApiAdapter.ts)."""

    def __init__(self, server):
        self.server = server
        self.tokens = None
        self.username = None

    def login(self, username, password):
        status, headers, data = self.server.request(
            "POST", "/auth/login", json.dumps({"username": username, "password": password}),
            headers={"Content-Type": "application/json", "Origin": APP_ORIGIN})
        check(status == 200, f"login: {status} {data}")
        body = json.loads(data)
        check(body.get("accessToken") and body.get("idToken") and body.get("refreshToken"), body)
        check(headers.get("Access-Control-Allow-Origin") == "*", headers)
        self.tokens = {"idToken": body["idToken"], "accessToken": body["accessToken"],
                       "refreshToken": body["refreshToken"]}
        self.username = username  # as typed: the app sends it back on refresh

    def refresh(self):
        """auth.ts refreshTokens: keeps the refresh token it already had."""
        status, headers, data = self.server.request(
            "POST", "/auth/refresh",
            json.dumps({"refreshToken": self.tokens["refreshToken"], "username": self.username}),
            headers={"Content-Type": "application/json", "Origin": APP_ORIGIN})
        check(status == 200, f"refresh with the session's first refresh token: {status} {data}")
        body = json.loads(data)
        check("refreshToken" not in body, f"refresh answered a new refresh token: {body}")
        self.tokens.update(idToken=body["idToken"], accessToken=body["accessToken"])

    def call(self, method, path, body=None, token=None):
        """apiClient.request: JSON content type on every call, the ID token, the app's origin.
        Answers (status, parsed body or None, headers)."""
        headers = {"Content-Type": "application/json", "Origin": APP_ORIGIN,
                   "Authorization": "Bearer " + (token or self.tokens["idToken"])}
        data = json.dumps(body) if body is not None else None
        status, h, raw = self.server.request(method, path, data, headers=headers, timeout=60)
        check(h.get("Access-Control-Allow-Origin") == "*", f"{method} {path}: no CORS header: {h}")
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return status, parsed, h

    def upload(self, job, filename, blob, mime, token=None):
        """originalApiAdapter.ts uploadImage: the blob's type, the bearer token, raw bytes."""
        headers = {"Content-Type": mime, "Origin": APP_ORIGIN,
                   "Authorization": "Bearer " + (token or self.tokens["idToken"])}
        status, h, raw = self.server.request("PUT", f"/fetch/{job}/album/{filename}", blob, headers=headers)
        return status, (json.loads(raw) if raw else None)


def fetch_image(url):
    """export.ts: fetch(url, {mode: 'cors', headers: {Accept: 'image/*,*/*;q=0.8'}}) from the
    app's origin: the answer must be 200, an image, and carry Access-Control-Allow-Origin."""
    check(url.startswith("http://127.0.0.1:"), f"image link not absolute: {url}")
    req = urllib.request.Request(url, headers={"Accept": "image/*,*/*;q=0.8", "Origin": APP_ORIGIN})
    with urllib.request.urlopen(req, timeout=10) as r:
        check(r.status == 200, url)
        check(r.headers.get("Content-Type", "").startswith("image/"), r.headers)
        check(r.headers.get("Access-Control-Allow-Origin") in ("*", APP_ORIGIN),
              f"/files answer without CORS: {dict(r.headers)}")
        return r.read()


def app_similarity(result):
    """originalApiAdapter.ts transformSearchResultToProduct: analysis.similarity."""
    s = result["scores"]
    d = [s["color"]["primary"] or 0, s["color"]["secondary"] or 0, s["pattern"]["primary"] or 0,
         s["pattern"]["secondary"] or 0]
    return 1 - sum(d) / 4


def check_result(x):
    """The result object every search, product and favorites answer holds (R8)."""
    check(set(x) == {"id", "match", "images", "scores", "description"}, sorted(x))
    check(isinstance(x["id"], str) and isinstance(x["match"], (int, float)) and 0 <= x["match"] <= 1, x)
    check(set(x["scores"]) == {"shape", "color", "pattern"}, x["scores"])
    for g in ("color", "pattern"):
        check(set(x["scores"][g]) == {"primary", "secondary", "tertiary"}, x["scores"][g])
        for v in x["scores"][g].values():
            check(isinstance(v, (int, float)) and 0 <= v <= 1, f"{g} distance {v}")
    check(set(x["description"]) == {"store", "name", "url", "material", "length", "width", "thickness"},
          x["description"])
    for u in x["images"]:
        check(u.startswith("http://127.0.0.1:"), u)
    check(abs(x["match"] - (1 - app_similarity(x))) < 2e-4, "match is the distance the favorites view reads")


def without_signatures(x):
    return dict(x, images=[u.split("?")[0] for u in x["images"]])


def main():
    with Server(k9_binary()) as server:
        out = server.run("catalog", "demo", "--count", str(COUNT)).stdout
        check(f"{COUNT} added" in out, out)
        server.run("users", "add", "demo", "--password", "demo-password-1")
        server.run("users", "add", "other", "--password", "other-password-1")
        catalog = {json.loads(l)["id"]: json.loads(l)
                   for l in open(os.path.join(server.data, "demo-catalog", "products.jsonl"))}
        server.start()

        app = App(server)
        app.login("demo", "demo-password-1")
        other = App(server)
        other.login("other", "other-password-1")

        # Preflight of a call from the app's origin: no token, the app's headers allowed.
        status, headers, _ = server.request("OPTIONS", "/fetch/anything", headers={
            "Origin": APP_ORIGIN, "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization,content-type"})
        check(status in (200, 204), f"preflight: {status}")
        allowed = headers.get("Access-Control-Allow-Headers", "").lower()
        check("authorization" in allowed and "content-type" in allowed and
              "PUT" in headers.get("Access-Control-Allow-Methods", ""), headers)

        # The dashboard of a new user.
        status, reports, _ = app.call("GET", "/report")
        check(status == 200 and reports == [], f"dashboard: {status} {reports}")

        # Create: the photos of a demo product into the album, then the job (R5, R6).
        target = catalog["demo-00005"]
        fmt = target["formats"][0]
        length, width = sorted([fmt["length"]["val"], fmt["width"]["val"]], reverse=True)
        job = encode_report_title("Kitchen Floor")
        names = []
        for i, image in enumerate(target["images"][1:3]):
            blob = open(os.path.join(server.data, "demo-catalog", image["url"]), "rb").read()
            status, body = app.upload(job, f"img{i}.jpg", blob, "image/jpeg")
            check(200 <= status < 300, f"album upload {i}: {status} {body}")
            names.append(f"img{i}.jpg")
        material = {"type": target["category"]["type"].lower(), "material": target["category"]["material"].lower(),
                    "length": length, "width": width, "thickness": fmt["thickness"]["val"], "images": names}
        t0 = time.time()
        status, created, _ = app.call("PUT", f"/fetch/{job}", material)
        took = time.time() - t0
        check(status == 200, f"PUT /fetch/{{job}} must answer exactly 200: {status} {created}")
        check(created["analysis"]["status"] == "ready" and created["title"] == "Kitchen Floor", created)
        print(f"PUT /fetch/{{job}} answered 200 with the analysis ready in {took:.2f} s")

        # The dashboard: the job, a parseable full timestamp, an image link fetched cross-origin.
        status, reports, _ = app.call("GET", "/report")
        check(status == 200 and [r["job"] for r in reports] == [job], reports)
        check(set(reports[0]) == {"job", "created", "reference"}, reports[0])
        datetime.fromisoformat(reports[0]["created"].replace("Z", "+00:00"))
        check(len(reports[0]["created"]) == 24, reports[0]["created"])
        fetch_image(reports[0]["reference"])

        # The report page: the reference (R7), then favorites (R10: none yet).
        status, ref, _ = app.call("GET", f"/fetch/{job}")
        check(status == 200 and set(ref) == {"type", "material", "length", "width", "thickness", "images"}, ref)
        check(ref["type"] == material["type"] and ref["material"] == material["material"], ref)
        check(ref["length"] == length and ref["width"] == width and ref["thickness"] == fmt["thickness"]["val"], ref)
        check(len(ref["images"]) == 2, ref)
        for u in ref["images"]:
            check(fetch_image(u)[:3] == b"\xff\xd8\xff", "reference image")
        status, favs, _ = app.call("GET", f"/report/{job}/favorites")
        check(status == 200 and favs == [], f"favorites: {status} {favs}")

        # Search (R8) with the app's default filters for a reference with a thickness.
        default = {"type_": {"type": 0.2, "material": 0.2, "missing": True},
                   "shape": {"missing": True, "length": 1, "width": 1, "thickness": 1},
                   "color": {"missing": True, "primary": 0.5, "secondary": 0.5},
                   "pattern": {"missing": True, "primary": 0.5, "secondary": 0.5}}
        status, results, _ = app.call("POST", f"/fetch/{job}", default)
        check(status == 200 and isinstance(results, list) and results, f"search: {status} {results}")
        check(results[0]["id"] == target["id"], f"best match {results[0]['id']}, photographed {target['id']}")
        sims = [app_similarity(x) for x in results]
        check(sims == sorted(sims, reverse=True), f"not in the app's order: {sims}")
        for x in results:
            check_result(x)
            for g in ("color", "pattern"):
                for k in ("primary", "secondary"):
                    check(x["scores"][g][k] <= 0.5 + 1e-9, f"{x['id']} {g}.{k} over the threshold")
            p = catalog[x["id"]]["formats"][0]
            pl, pw = sorted([p["length"]["val"], p["width"]["val"]], reverse=True)
            check(abs(pl - length) <= 1 + 1e-6 and abs(pw - width) <= 1 + 1e-6 and
                  abs(p["thickness"]["val"] - fmt["thickness"]["val"]) <= 1 + 1e-6, f"{x['id']} outside the tolerances")
        top = results[0]
        check(app_similarity(top) > 0.8, top)
        d = top["description"]
        check(d["store"] == target["brand"] and d["name"] == target["model"], d)
        check(d["url"] == fmt["vendors"][0]["url"] and d["material"] == target["category"]["material"], d)
        # Units as the app converts them: centimetres it divides by 2.54, millimetres.
        check(round(d["length"] / 2.54, 1) == fmt["length"]["val"] and round(d["width"] / 2.54, 1) == fmt["width"]["val"], d)
        check(d["thickness"] == fmt["thickness"]["val"], d)
        for u in top["images"]:
            fetch_image(u)

        # Sliders moved: a stricter colour (90 %: distance 0.1) keeps only close colours.
        strict = json.loads(json.dumps(default))
        strict["color"]["primary"] = (100 - 90) / 100
        strict["shape"] = {"missing": True, "length": 10, "width": 10, "thickness": 20}
        status, close, _ = app.call("POST", f"/fetch/{job}", strict)
        check(status == 200 and all(x["scores"]["color"]["primary"] <= 0.1 + 1e-9 for x in close), close)
        check(target["id"] in [x["id"] for x in close], "the photographed product passes a 90% colour filter")

        # Every product with wide tolerances and no thresholds; `start` pages by offset.
        wide = {"type_": {"type": 0.2, "material": 0.2, "missing": True},
                "shape": {"missing": True, "length": 1000, "width": 1000, "thickness": 1000},
                "color": {"missing": True}, "pattern": {"missing": True}}
        status, everything, _ = app.call("POST", f"/fetch/{job}", wide)
        check(status == 200 and len(everything) == COUNT, f"{status} {len(everything or [])}")
        status, rest, _ = app.call("POST", f"/fetch/{job}?start=30", wide)
        check(status == 200 and [x["id"] for x in rest] == [x["id"] for x in everything[30:]], "start=30")

        # A product beside the reference (R9): the same object.
        status, product, _ = app.call("GET", f"/fetch/{job}/product/{target['id']}")
        check(status == 200 and without_signatures(product) == without_signatures(top), product)
        status, missing, _ = app.call("GET", f"/fetch/{job}/product/demo-99999")
        check(status == 404, f"absent product: {status}")

        # Hearts: the whole list each time (R11), then the unused toggle (R12).
        second = results[1]["id"] if len(results) > 1 else everything[1]["id"]
        status, body, _ = app.call("PUT", f"/report/{job}/favorites", {"product_ids": [target["id"]]})
        check(status == 200 and body == {"product_ids": [target["id"]]}, body)
        status, body, _ = app.call("PUT", f"/report/{job}/favorites", {"product_ids": [target["id"], second]})
        check(status == 200 and body == {"product_ids": [target["id"], second]}, body)
        status, favs, _ = app.call("GET", f"/report/{job}/favorites")
        check(status == 200 and [x["id"] for x in favs] == [target["id"], second], favs)
        for x in favs:
            check_result(x)
        check(abs((1 - favs[0]["match"]) - app_similarity(top)) < 2e-4, "favorites view shows the grid's number")
        third = next(x["id"] for x in everything if x["id"] not in (target["id"], second))
        status, body, _ = app.call("POST", f"/report/{job}/favorites", {"product_id": third})
        check(status == 200 and body == {"product_ids": [target["id"], second, third]}, body)
        status, body, _ = app.call("POST", f"/report/{job}/favorites", {"product_id": third})
        check(status == 200 and body == {"product_ids": [target["id"], second]}, body)

        # The session goes on across two refreshes, both with the first refresh token.
        for _ in range(2):
            app.refresh()
            status, reports, _ = app.call("GET", "/report")
            check(status == 200 and len(reports) == 1, f"after a refresh: {status}")

        # Another user: the job is not theirs (404) and can never be claimed (409).
        for method, path, body in (("GET", f"/fetch/{job}", None), ("POST", f"/fetch/{job}", default),
                                   ("GET", f"/fetch/{job}/product/{target['id']}", None),
                                   ("GET", f"/report/{job}/favorites", None),
                                   ("PUT", f"/report/{job}/favorites", {"product_ids": []})):
            status, err, _ = other.call(method, path, body)
            check(status == 404 and err["message"] == "Report not found", f"{method} {path} by another user: {status}")
        status, err, _ = other.call("PUT", f"/fetch/{job}", material)
        check(status == 409 and "already exists" in err["message"], f"claiming a taken job: {status} {err}")
        status, err = other.upload(job, "img9.jpg", open(os.path.join(server.data, "demo-catalog",
                                                                      target["images"][0]["url"]), "rb").read(),
                                   "image/jpeg")
        check(status == 409, f"album on a taken job: {status} {err}")
        status, theirs, _ = other.call("GET", "/report")
        check(status == 200 and theirs == [], theirs)

        # Bad input: a clear 4xx naming the problem, and the job unchanged.
        status, before, _ = app.call("GET", f"/report/{job}/favorites")
        fresh = encode_report_title("Fresh")
        for method, path, body, want, words in (
                ("POST", f"/fetch/{job}", {"color": {"primary": 1.5}}, 400, "color.primary"),
                ("POST", f"/fetch/{job}", {"colour": {"primary": 0.5}}, 400, "colour"),
                ("POST", f"/fetch/{job}?start=-5", default, 400, "start"),
                ("PUT", f"/fetch/{fresh}", dict(material, images=["img0.jpg"]), 400, "images[0]"),
                ("PUT", f"/report/{job}/favorites", {"product_ids": "demo-00001"}, 400, "product_ids")):
            status, err, _ = app.call(method, path, body)
            check(status == want and words in err["message"] and err["code"], f"{method} {path}: {status} {err}")
        status, err = app.upload(fresh, "img0.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif")
        check(status == 415 and "JPEG, PNG or WebP" in err["message"], f"gif album file: {status} {err}")
        status, after, _ = app.call("GET", f"/report/{job}/favorites")
        check([x["id"] for x in after] == [x["id"] for x in before], "bad input changed the favorites")
        status, err, _ = app.call("GET", f"/fetch/{fresh}")
        check(status == 404, f"refused job stored: {status}")

        # One data model: K9's own export of the same report numbers products as the app does.
        status, headers, zipped = server.request("GET", f"/reports/{job}/export",
                                                 headers={"Authorization": "Bearer " + app.tokens["idToken"]})
        check(status == 200, f"export: {status}")
        z = zipfile.ZipFile(io.BytesIO(zipped))
        rows = list(csv.DictReader(io.StringIO(z.read("favorites.csv").decode())))
        numbers = {}
        for r in rows:
            numbers.setdefault(r["model"], set()).add(r["row_index"])
        check(numbers[catalog[target["id"]]["model"]] == {"1"} and numbers[catalog[second]["model"]] == {"2"},
              f"row_index numbers products: {numbers}")
        check(len(rows) > 3, "several rows per product (formats x vendors)")
        check(any(n.startswith("images/001_") for n in z.namelist()) and
              any(n.startswith("images/002_") for n in z.namelist()), z.namelist())
        print("webapp api: ok")


if __name__ == "__main__":
    main()
