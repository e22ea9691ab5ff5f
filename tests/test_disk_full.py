"""Fault injection: the disk fills up under the SQLite store.

Two ways, each run when this machine allows it:
  - tmpfs: the store on a small tmpfs mounted for the test (root only); a filler file takes the
    last free byte, so SQLite's writes fail with ENOSPC;
  - fsize: RLIMIT_FSIZE on the server process (SIGXFSZ ignored), lowered to the files' current
    size, so growing them fails with EFBIG; then raised again with prlimit.

While the disk is full every write answers 2xx or 503 with Retry-After (never a 500), at least
one is a 503, reads keep answering, and the server stays up. When space returns, writes succeed
again; exactly the acknowledged reports are there, whole; after a SIGKILL and restart the file
passes integrity_check and holds nothing half-written."""
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time

from k9test import Server, k9_binary
import store_file

BIG_REFERENCE = {"model": "Oak " + "x" * 150, "images": [{"url": f"{i:02d}-" + "u" * 1900 + ".jpg"} for i in range(20)]}


def create(server, token, title):
    body = {"title": title, "reference": BIG_REFERENCE}
    status, headers, data = server.request("POST", "/reports", body, token)
    return status, headers, data


def write_while_full(server, token, acked, label):
    """Writes until enough 503s were seen; checks every answer. Returns the number of 503s."""
    unavailable = 0
    for i in range(200):
        status, headers, data = create(server, token, f"{label} {i}")
        if status == 201:
            acked[json.loads(data)["id"]] = f"{label} {i}"
            continue
        assert status == 503, f"a full disk answered {status}: {data[:300]}"
        assert int(headers.get("Retry-After", "0")) > 0, f"503 without Retry-After: {headers}"
        unavailable += 1
        if unavailable >= 5:
            break
    assert unavailable >= 1, "the disk never looked full to the store: the test proves nothing"
    # Other writes on an existing report answer 503 too (or succeed), never 500.
    rid = next(iter(acked))
    for method, path, body in (("PATCH", f"/reports/{rid}", {"title": "renamed while full"}),
                               ("PUT", f"/reports/{rid}/favorites/p-1", {"isFavorite": True})):
        status, headers, data = server.request(method, path, body, token)
        assert status in (200, 503), f"{method} on a full disk answered {status}: {data[:300]}"
        if status == 200 and method == "PATCH":
            acked[rid] = "renamed while full"
    status, _, _ = server.request("GET", f"/reports/{rid}", token=token)
    assert status == 200, f"reads stop on a full disk: {status}"
    assert server.proc.poll() is None, "the server died on a full disk: " + server.read_log()[-2000:]
    return unavailable


def write_after_space_returns(server, token, acked, label):
    deadline = time.time() + 15
    while True:
        status, headers, data = create(server, token, label)
        if status == 201:
            acked[json.loads(data)["id"]] = label
            return
        assert status == 503 and time.time() < deadline, f"writes do not recover: {status} {data[:300]}"
        time.sleep(min(int(headers.get("Retry-After", "1")), 1))


def check_store(server, token, acked):
    status, page = server.json("GET", "/reports?limit=100", token=token)
    assert status == 200, page
    listed = {r["id"] for r in page["reports"]}
    assert listed == set(acked), f"reports differ: extra {listed - set(acked)}, missing {set(acked) - listed}"
    for rid, title in acked.items():
        status, report = server.json("GET", f"/reports/{rid}", token=token)
        assert status == 200 and report["title"] == title, (rid, status, report.get("title"))
        assert report["reference"]["model"] == BIG_REFERENCE["model"] and len(report["reference"]["images"]) == 20


def scenario(k9, mode):
    server = Server(k9)
    mount = None
    try:
        store_dir = os.path.join(server.data, "store")
        os.makedirs(store_dir)
        if mode == "tmpfs":
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", store_dir], check=True)
            mount = store_dir
        db = os.path.join(store_dir, "k9.db")
        server.env["K9_STORE"] = "sqlite:" + db
        token = server.add_user("full")
        if mode == "fsize":
            server.preexec_fn = lambda: signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        server.start()
        acked = {}
        for i in range(5):
            status, _, data = create(server, token, f"before {i}")
            assert status == 201, data
            acked[json.loads(data)["id"]] = f"before {i}"

        filler = os.path.join(store_dir, "filler")
        if mode == "tmpfs":
            with open(filler, "wb") as f:
                try:
                    while True:
                        f.write(b"\0" * 65536)
                        f.flush()
                except OSError:
                    pass
            try:  # the last bytes, one at a time
                with open(filler, "ab", buffering=0) as f:
                    while True:
                        f.write(b"\0")
            except OSError:
                pass
        else:
            biggest = max(os.path.getsize(os.path.join(store_dir, n)) for n in os.listdir(store_dir))
            limit = biggest + 4096
            resource.prlimit(server.proc.pid, resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))  # soft only

        full = write_while_full(server, token, acked, "while full")

        if mode == "tmpfs":
            os.remove(filler)
        else:
            resource.prlimit(server.proc.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        write_after_space_returns(server, token, acked, "after space returned")
        check_store(server, token, acked)

        server.kill()  # SIGKILL: what is on disk now is what a restart finds
        assert store_file.integrity(db) == "ok"
        assert store_file.half_written(db) == []
        server.preexec_fn = None
        server.start()
        check_store(server, token, acked)
        server.kill()
        print(f"{mode}: {full} writes answered 503 while full, {len(acked)} acknowledged reports all there")
    finally:
        if server.proc and server.proc.poll() is None:
            server.kill()
        if mount:
            subprocess.run(["umount", "-l", mount], check=False)
        server.cleanup()


def can_mount_tmpfs():
    if os.geteuid() != 0:
        return False
    probe = tempfile.mkdtemp(prefix="k9-mount-probe-")
    try:
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", probe], capture_output=True).returncode == 0
        if ok:
            subprocess.run(["umount", probe], check=True)
        return ok
    finally:
        os.rmdir(probe)


def main():
    k9 = k9_binary()
    modes = (["tmpfs"] if can_mount_tmpfs() else []) + ["fsize"]
    for mode in modes:
        scenario(k9, mode)
    return 0


if __name__ == "__main__":
    sys.exit(main())
