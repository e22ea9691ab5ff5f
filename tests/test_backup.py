"""`k9 backup` and `k9 restore` with the real binary (issue 17): a backup taken while `k9 serve`
answers a steady stream of writes restores to a store that opens clean and holds every report
whose 201 came before the backup began; the server answered every request meanwhile. Bad input:
a damaged or truncated archive, a restore onto the running server's folder, onto a folder that
holds a store without --replace, and a backup of a configuration that is not embedded, each
refused with the file named and nothing changed."""
import os
import shutil
import subprocess
import tempfile
import threading
import time

from k9test import Server, check, k9_binary


def main():
    k9 = k9_binary()
    work = tempfile.mkdtemp(prefix="k9-backup-test-")
    try:
        with Server(k9) as server:
            token = server.add_user("ben", "Backup-pass-1")
            server.start()
            ref = {"model": "Oak", "category": {"type": "Plank"}}
            acknowledged, failures, stop = [], [], threading.Event()

            def writer():
                i = 0
                while not stop.is_set():
                    status, body = server.json("POST", "/reports", {"title": f"r{i}", "reference": ref}, token)
                    if status == 201:
                        acknowledged.append((time.monotonic(), body["id"]))
                    else:
                        failures.append((status, body))
                    i += 1

            threads = [threading.Thread(target=writer) for _ in range(2)]
            for t in threads:
                t.start()
            while len(acknowledged) < 50:
                time.sleep(0.01)
            archive = os.path.join(work, "k9.backup")
            began = time.monotonic()
            out = server.run("backup", archive)
            ended = time.monotonic()
            time.sleep(0.2)
            stop.set()
            for t in threads:
                t.join()
            check(not failures, f"the server failed requests during the backup: {failures[:3]}")
            before = [rid for at, rid in acknowledged if at < began]
            during = [rid for at, rid in acknowledged if began <= at <= ended]
            check(len(before) >= 50, f"writes acknowledged before the backup: {len(before)}")
            check(during, "no write was acknowledged while the backup ran: the load did not overlap it")
            check("sha256" in out.stdout and os.path.exists(archive + ".sha256"), out.stdout)
            print(f"backup under load: {len(before)} reports before it, {len(during)} during "
                  f"({(ended - began) * 1000:.0f} ms); {out.stdout.strip()}")

            # The running server's folder is never replaced, even with --replace.
            refused = server.run("restore", archive, "--replace", check=False)
            check(refused.returncode != 0 and "open in another process" in refused.stderr, refused.stderr)
            status, _ = server.json("GET", f"/reports/{before[0]}", token=token)
            check(status == 200, f"the server after a refused restore: {status}")

            # Restored into a new folder and served: every acknowledged report is there.
            restored = os.path.join(work, "restored")
            with Server(k9, data=restored) as second:
                res = second.run("restore", archive)
                check("checksums verified" in res.stdout, res.stdout)
                second.start()  # its token verifies: the signing keys came with the backup
                for rid in before:
                    status, body = second.json("GET", f"/reports/{rid}", token=token)
                    check(status == 200 and body["id"] == rid, f"report {rid} after the restore: {status}")
                status, page = second.json("GET", "/reports?limit=1", token=token)
                check(status == 200 and page["total"] >= len(before), f"list after the restore: {page}")
                second.kill()
                # A folder that holds a store is replaced only when asked, and kept beside it.
                res = second.run("restore", archive, check=False)
                check(res.returncode != 0 and "holds a store already" in res.stderr, res.stderr)
                res = second.run("restore", archive, "--replace")
                check("the folder it replaced is kept at" in res.stdout, res.stdout)
                kept = res.stdout.split("kept at ")[1].strip()
                check(os.path.exists(os.path.join(kept, "k9.db")), f"the replaced folder: {os.listdir(kept)}")
                shutil.rmtree(kept)

            # Damaged archives: refused, the file named, the target not created.
            damaged = os.path.join(work, "damaged.backup")
            raw = bytearray(open(archive, "rb").read())
            raw[len(raw) // 2] ^= 0x5A
            open(damaged, "wb").write(raw)
            shutil.copy(archive + ".sha256", damaged + ".sha256")
            target = os.path.join(work, "never")
            res = server.run("restore", damaged, "--data", target, check=False)
            check(res.returncode != 0 and damaged in res.stderr and "SHA-256" in res.stderr, res.stderr)
            check(not os.path.exists(target), "a refused restore created its target")
            os.remove(damaged + ".sha256")
            res = server.run("restore", damaged, "--data", target, check=False)
            check(res.returncode != 0 and damaged in res.stderr, res.stderr)
            open(damaged, "wb").write(bytes(raw[: len(raw) // 4]))
            res = server.run("restore", damaged, "--data", target, check=False)
            check(res.returncode != 0 and "not a readable backup archive" in res.stderr, res.stderr)
            check(not os.path.exists(target), "a refused restore created its target")

            # Not the embedded configuration.
            res = subprocess.run([k9, "--store", "dynamodb", "backup", os.path.join(work, "x")], capture_output=True,
                                 text=True, env=dict(server.env))
            check(res.returncode != 0 and "embedded store" in res.stderr, res.stderr)
        print("test_backup: passed")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
