"""`k9 catalog import DIR` of the export CSV layout (SPEC sections 3 and 5), and the catalog
snapshot kept in the blob store (SPEC section 4) in AWS mode, through the real binary on
DynamoDB Local and s3rver: one machine imports (the snapshot is uploaded to S3), a server with
an empty data folder fetches it from there and finds the CSV's products."""
import contextlib
import csv
import io
import json
import os
import shutil
import time

from k9test import Server, check, k9_binary
from dynamodb_local import DynamoDbLocal
from s3rver import S3rver

COLUMNS = ["row_index", "type", "brand", "series", "model", "category_type", "category_material", "category_look",
           "category_texture", "category_finish", "category_edge", "format_length_val", "format_length_unit",
           "format_width_val", "format_width_unit", "format_thickness_val", "format_thickness_unit", "vendor_sku",
           "vendor_store", "vendor_name", "vendor_price_val", "vendor_price_unit", "vendor_discontinued",
           "vendor_url", "similarity_overall"]


def guard(text):
    """The export's formula guard."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t") else text


def export_rows(product, kind, first_row):
    """A product's rows as the export writes them (one per format x vendor)."""
    cat = product.get("category", {})
    base = [kind, guard(product.get("brand") or ""), guard(product.get("series") or ""), guard(product["model"])] + \
           [guard(cat.get(k) or "") for k in ("type", "material", "look", "texture", "finish", "edge")]
    rows = []
    dim = lambda d: [d["val"], d["unit"]] if d else ["", ""]
    for f in product.get("formats") or [None]:
        fcells = (dim(f.get("length")) + dim(f.get("width")) + dim(f.get("thickness"))) if f else [""] * 6
        for v in (f or {}).get("vendors") or [None]:
            vcells = [v["sku"], v["store"], v["name"], *dim(v.get("price")),
                      "" if v.get("discontinued") is None else str(v["discontinued"]).lower(), v["url"]] if v else [""] * 7
            rows.append([str(first_row + len(rows))] + base + fcells + vcells + ["0.5" if kind == "FAVORITE" else ""])
    return rows


def write_export(folder, demo_dir, reference, favorites):
    """favorites.csv and images/NNN_Brand_Model[_REFERENCE]/MM.jpg, as a favorites ZIP unpacks."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(COLUMNS)
    rows = export_rows(reference, "REFERENCE", 0)
    for p in favorites:
        rows += export_rows(p, "FAVORITE", len(rows))
    w.writerows(rows)
    os.makedirs(folder)
    with open(os.path.join(folder, "favorites.csv"), "w", newline="") as f:
        f.write(out.getvalue())
    safe = lambda s: "".join(c if c.isascii() and (c.isalnum() or c == "-") else "_" for c in (s or ""))[:40] or "_"
    for n, p in enumerate([reference] + favorites):
        sub = os.path.join(folder, "images", f"{n:03d}_{safe(p.get('brand'))}_{safe(p['model'])}" +
                           ("_REFERENCE" if n == 0 else ""))
        os.makedirs(sub)
        for i, img in enumerate(p["images"]):
            shutil.copy(os.path.join(demo_dir, img["url"]), os.path.join(sub, f"{i + 1:02d}.jpg"))


def main():
    with contextlib.ExitStack() as running:
        ddb, s3 = running.enter_context(DynamoDbLocal()), running.enter_context(S3rver())
        env = dict(ddb.env(), K9_STORE="dynamodb", ENVIRONMENT=f"csv{os.getpid()}", K9_ANALYSIS_WORKERS="1")
        env.update(s3.env())
        importer = running.enter_context(Server(k9_binary(), env=env))
        out = importer.run("catalog", "demo", "--count", "6").stdout
        check("6 added" in out and "uploaded to the blob store as snapshots/k9-classic-2.k9snap" in out, out)

        demo_dir = os.path.join(importer.data, "demo-catalog")
        demo = [json.loads(l, parse_float=str, parse_int=str) for l in open(os.path.join(demo_dir, "products.jsonl"))]
        walnut = dict(demo[2], brand="=Acme", model="Walnut, \"wide\"", series="Nordic")
        slate = dict(demo[4], brand="Stone Co", model="Slate\nGrey")
        for p in (walnut, slate):
            p["formats"] = [{"length": {"val": "12.50", "unit": "in"}, "width": {"val": "6", "unit": "in"},
                             "vendors": [{"sku": "A1", "store": "+Shop", "name": "n", "url": "",
                                          "price": {"val": "1234567890.123456789012345678", "unit": "usd"},
                                          "discontinued": False}]}]
        folder = os.path.join(importer.data, "export")
        write_export(folder, demo_dir, demo[0], [walnut, slate])

        out = importer.run("catalog", "import", folder).stdout
        check("2 products, 2 added" in out and "REFERENCE rows skipped" in out, out)
        check("uploaded to the blob store" in out, out)
        out = importer.run("catalog", "import", folder).stdout
        check("2 unchanged" in out and "already in the blob store" in out, out)

        # A malformed row is reported with its row number; the rest is imported.
        with open(os.path.join(folder, "favorites.csv"), newline="") as f:
            bad_row = len(list(csv.reader(f))) + 1  # the header is row 1
        with open(os.path.join(folder, "favorites.csv"), "a", newline="") as f:
            csv.writer(f, lineterminator="\r\n").writerow(["9", "FAVORITE", "Bad", "", "Row"] + [""] * 6 + ["x", "in"] + [""] * 12)
        r = importer.run("catalog", "import", folder, check=False)
        check(r.returncode == 2 and "2 unchanged, 0 failed" not in r.stdout and "1 failed" in r.stdout, r.stdout)
        check(f"problem: csv-" in r.stdout + r.stderr and
              f"row {bad_row}: format_length_val \"x\" is not a number" in r.stdout + r.stderr, r.stdout + r.stderr)

        # Another machine: an empty data folder, the same DynamoDB tables and bucket.
        server = running.enter_context(Server(k9_binary(), env=env))
        token = server.add_user("csv-user")
        server.start()
        check(os.path.exists(os.path.join(server.data, "snapshots", "k9-classic-2.k9snap")), "no snapshot fetched")
        check("fetched from the blob store" in server.read_log(), server.read_log()[-2000:])
        photo = open(os.path.join(demo_dir, demo[2]["images"][1]["url"]), "rb").read()
        status, up = server.json("PUT", "/uploads/walnut.jpg", photo, token=token)
        check(status == 201, f"upload: {status} {up}")
        status, created = server.json("POST", "/reports", {"title": "CSV", "reference": {
            "model": "Mine", "images": [{"url": up["key"]}]}}, token=token)
        check(status == 201, f"create: {status} {created}")
        deadline = time.time() + 60
        while time.time() < deadline:
            status, report = server.json("GET", f"/reports/{created['id']}", token=token)
            if report["analysis"]["status"] in ("ready", "failed"):
                break
            time.sleep(0.1)
        check(report["analysis"]["status"] == "ready", report["analysis"])
        status, page = server.json("POST", f"/reports/{created['id']}/search", {"limit": 3}, token=token)
        check(status == 200 and page["total"] == 8, page)  # 6 demo products + 2 from the CSV
        # Both the demo product and its CSV copy share the photo: either may come first.
        check({p["id"] for p in page["products"][:2]} >= {demo[2]["id"]} and
              any(p["id"].startswith("csv-") and p["brand"] == "=Acme" for p in page["products"][:2]), page)
        print("catalog csv + snapshot in the blob store: ok")


if __name__ == "__main__":
    main()
