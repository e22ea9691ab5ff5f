"""Uploads and report images through the real binary, with files on disk (embedded mode) and
in s3rver's bucket (AWS mode): real images made here with zlib, hostile files refused with a
clear 4xx and nothing stored, links a browser fetches without a token, files deleted with
their report, and `k9 blobs sweep`."""
import base64
import json
import struct
import sys
import urllib.error
import urllib.request
import zlib

from k9test import Server, check, k9_binary
from s3rver import S3rver


def png(width, height, rgb=(200, 120, 40)):
    """A real, decodable PNG (8-bit RGB)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def bomb_png():
    """30000x30000 pixels claimed by a few kilobytes: only the start of the pixel stream."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    stream = zlib.compressobj(9).compress(b"\x00" * 5_000_000)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", stream[:3000]) + chunk(b"IEND", b""))


def jpeg(width, height, scan=4000):
    seg = lambda marker, body: b"\xff" + bytes([marker]) + struct.pack(">H", len(body) + 2) + body
    sof = struct.pack(">BHHB", 8, height, width, 3) + b"".join(bytes([c, 0x11, 0]) for c in (1, 2, 3))
    sos = bytes([3]) + b"".join(bytes([c, 0]) for c in (1, 2, 3)) + b"\x00\x3f\x00"
    return (b"\xff\xd8" + seg(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00") + seg(0xC0, sof) +
            seg(0xDA, sos) + bytes(0x20 + i % 64 for i in range(scan)) + b"\xff\xd9")


def browser_get(url):
    """A plain GET, as an <img src> does: no token."""
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers.get("Content-Type"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read()


def run(mode, env):
    with Server(k9_binary(), env=env) as server:
        token = server.add_user("uploader")
        server.start()

        def stored():
            """Every file K9 keeps: listed by the same blob store K9 runs on (`k9 blobs` sees it)."""
            status, page = server.json("GET", "/reports?limit=100", token=token)
            return page["total"]

        def files():
            if mode == "fs":
                import os
                root = os.path.join(server.data, "blobs")
                out = []
                for d, _, names in os.walk(root):
                    out += [os.path.relpath(os.path.join(d, n), root) for n in names]
                return sorted(out)
            with urllib.request.urlopen(f"{env['AWS_ENDPOINT_URL_S3']}/k9-system?list-type=2&prefix=k9/") as r:
                body = r.read().decode()
            return sorted(body.split("<Key>")[1:]) if "<Key>" in body else []

        photo = png(64, 48)
        status, headers, data = server.request("PUT", "/uploads/photo.png", photo, token)
        check(status == 201, (status, data))
        up = json.loads(data)
        check(up["key"].startswith("uploads/"), up)
        code, ctype, got = browser_get(up["url"])
        check((code, ctype, got) == (200, "image/png", photo), (mode, code, ctype, up["url"]))

        # Hostile files: each a clear 4xx, nothing stored, no report changed.
        before_files, before_reports = files(), stored()
        cut = jpeg(640, 480)
        for name, body, want, words in [
            ("notes.jpg", b"just some text, named like a photo\n", 415, "not a JPEG, PNG or WebP"),
            ("cut.jpg", cut[: len(cut) // 2], 400, "end-of-image"),
            ("bomb.png", bomb_png(), 413, "30000x30000 pixels"),
            ("empty.jpg", b"", 400, "empty"),
            ("..%2F..%2Fk9.db", photo, 400, "name must be"),
            ("a%2F..%2F..%2Fescape.png", photo, 400, "name must be"),
        ]:
            status, _, data = server.request("PUT", "/uploads/" + name, body, token)
            check(status == want, (mode, name, status, data))
            check(words in json.loads(data)["message"], (name, data))
        check(len(bomb_png()) < 8192, "the bomb is a few kilobytes")
        # Over the 20 MiB limit: refused by the server before the body is read.
        big = jpeg(100, 100, scan=20 * 1024 * 1024)
        status, _, data = server.request("PUT", "/uploads/big.jpg", big, token, timeout=60)
        check(status == 413 and json.loads(data)["code"] == "PayloadTooLarge", (status, data))
        check(files() == before_files, (mode, "nothing stored", files(), before_files))
        check(stored() == before_reports, "no report changed")

        # A report with the upload and a data: URL mask; links a browser can fetch.
        mask = png(64, 48, (255, 255, 255))
        report = {"title": "Kitchen", "reference": {"model": "Oak", "images": [
            {"url": up["key"], "mask": "data:image/png;base64," + base64.b64encode(mask).decode()}]}}
        status, created = server.json("POST", "/reports", report, token)
        check(status == 201, created)
        status, got = server.json("GET", "/reports/" + created["id"], token=token)
        image = got["reference"]["images"][0]
        check(browser_get(image["url"])[2] == photo and browser_get(image["mask"])[2] == mask, image)
        status, page = server.json("GET", "/reports", token=token)
        check(browser_get(page["reports"][0]["imageUrl"])[0] == 200, page)
        status, _ = server.json("DELETE", "/reports/" + created["id"], token=token)
        check(status == 200, status)
        check(browser_get(image["url"])[0] == 404, "a deleted report's files are gone")
        check(not any("images/" in f for f in files()), files())

        # The avatar.
        status, _, data = server.request("PUT", "/user/avatar", png(16, 16), token)
        check(status == 200 and browser_get(json.loads(data)["avatarUrl"])[2] == png(16, 16), data)

        out = server.run("blobs", "sweep").stdout
        check(out.startswith("swept 0 uploads"), out)  # nothing is a day old yet


def main():
    run("fs", {})
    with S3rver() as s3:
        run("s3", s3.env())
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
