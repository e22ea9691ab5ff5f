"""SIGKILL the server while clients create reports; after a restart every report whose 201
reached a client is there, and the store opens clean."""
import http.client
import json
import sys
import threading
import time

from k9test import Server, k9_binary

ROUNDS = 3
CLIENTS = 16


def writer(server, token, acked, stop, errors):
    while not stop.is_set():
        try:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            while not stop.is_set():
                body = json.dumps({"title": "crash test", "reference": {"model": "m", "images": [{"url": "x.jpg"}]}})
                conn.request("POST", "/reports", body=body, headers={"Authorization": "Bearer " + token})
                resp = conn.getresponse()
                data = resp.read()
                if resp.status == 201:
                    acked.append(json.loads(data)["id"])
                else:
                    errors.append((resp.status, data))
        except (OSError, http.client.HTTPException):
            time.sleep(0.01)  # the server died under us: expected


def main():
    with Server(k9_binary()) as server:
        token = server.add_user("crash")
        server.start()
        all_acked = []
        for round_ in range(ROUNDS):
            acked, errors, stop = [], [], threading.Event()
            threads = [threading.Thread(target=writer, args=(server, token, acked, stop, errors)) for _ in range(CLIENTS)]
            for t in threads:
                t.start()
            time.sleep(1.5)
            server.kill()  # SIGKILL while requests are in flight
            stop.set()
            for t in threads:
                t.join()
            assert not errors, f"unexpected answers: {errors[:3]}"
            assert len(acked) > 50, f"too few writes to mean anything: {len(acked)}"
            all_acked += acked
            server.start()
            missing = []
            for rid in all_acked:
                status, _ = server.json("GET", f"/reports/{rid}", token=token)
                if status != 200:
                    missing.append((rid, status))
            assert not missing, f"acknowledged reports lost after SIGKILL: {missing[:5]} of {len(missing)}"
            status, page = server.json("GET", "/reports?limit=1", token=token)
            assert status == 200 and page["total"] >= len(all_acked), page
            print(f"round {round_ + 1}: {len(acked)} acknowledged, all {len(all_acked)} found; "
                  f"store holds {page['total']}")
        server.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
