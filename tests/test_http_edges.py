"""The real server's edges: body limit, CORS preflight, request ids, access log, SIGTERM."""
import json
import signal
import sys

from k9test import Server, k9_binary


def main():
    with Server(k9_binary()) as server:
        token = server.add_user("edges")
        server.start()
        status, _ = server.json("POST", "/reports", {"title": "one", "reference": {"model": "m"}}, token)
        assert status == 201

        # Over the 1 MiB body limit: 413 JSON, nothing stored.
        big = json.dumps({"title": "big", "reference": {"model": "x" * (1100 * 1024)}})
        status, headers, data = server.request("POST", "/reports", big, token)
        assert status == 413, status
        assert json.loads(data)["code"] == "PayloadTooLarge", data
        status, page = server.json("GET", "/reports", token=token)
        assert page["total"] == 1, page

        # Preflight needs no token.
        status, headers, _ = server.request("OPTIONS", "/reports", headers={
            "Origin": "https://app.example", "Access-Control-Request-Method": "POST"})
        assert status == 204, status
        assert headers["Access-Control-Allow-Origin"] == "*"
        assert "PATCH" in headers["Access-Control-Allow-Methods"]
        assert "Authorization" in headers["Access-Control-Allow-Headers"]

        # A request id on every answer, errors included; ours is echoed.
        status, headers, data = server.request("GET", "/no/such/route", headers={"X-Request-Id": "abc-123"})
        assert status == 404 and headers["X-Request-Id"] == "abc-123"
        assert json.loads(data) == {"message": "No route for /no/such/route", "code": "NotFound",
                                    "requestId": "abc-123"}, data
        status, headers, _ = server.request("GET", "/reports")
        assert status == 401 and len(headers["X-Request-Id"]) >= 8

        # SIGTERM: a clean exit.
        code = server.kill(signal.SIGTERM)
        assert code == 0, f"exit code {code}"
        lines = [json.loads(line) for line in server.read_log().splitlines() if line.startswith("{")]
        assert any(l["path"] == "/reports" and l["status"] == 201 for l in lines), lines
        assert all("authorization" not in json.dumps(l).lower() for l in lines)

        # It opens clean again with everything there.
        server.start()
        status, page = server.json("GET", "/reports", token=token)
        assert status == 200 and page["total"] == 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
