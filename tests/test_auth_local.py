"""Local-mode sign-in through the real binary: login, refresh (one refresh token serves the whole
session by default, as Cognito's does; K9_REFRESH_ROTATION=on rotates), the temporary-password
flow, throttling, `k9 keys rotate` while serving, and tokens minted by jose (npm) with K9's key."""
import base64
import glob
import json
import os
import signal
import sys
import time

from k9test import Server, k9_binary
from npm_peers import node, require_peer


def header_of(token):
    seg = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)))


def newest_key(server):
    return sorted(glob.glob(os.path.join(server.data, "keys", "key-*.pem")))[-1]


def main():
    require_peer("jose")
    with Server(k9_binary()) as server:
        server.run("users", "add", "alice", "--password", "Correct-horse-1", "--name", "Alice")
        server.run("users", "add", "tom", "--password", "Temporary-1", "--temporary")
        weak = server.run("users", "add", "weak", "--password", "alllowercase", check=False)
        assert weak.returncode != 0 and "at least 3 of" in weak.stderr, weak.stderr
        server.start()

        # Login answers a refresh token that serves again and again (the web app keeps its first
        # one for the whole session); a refresh answers no new one.
        status, login = server.json("POST", "/auth/login", {"username": "alice", "password": "Correct-horse-1"})
        assert status == 200 and login["tokenType"] == "Bearer", login
        for _ in range(3):
            status, refreshed = server.json("POST", "/auth/refresh",
                                            {"username": "alice", "refreshToken": login["refreshToken"]})
            assert status == 200 and "refreshToken" not in refreshed, refreshed
            assert sorted(refreshed) == ["accessToken", "expiresIn", "idToken", "tokenType"], refreshed
            status, _ = server.json("GET", "/user/profile", token=refreshed["idToken"])
            assert status == 200

        # The temporary-password flow.
        status, challenge = server.json("POST", "/auth/login", {"username": "tom", "password": "Temporary-1"})
        assert status == 202 and challenge["challenge"] == "NEW_PASSWORD_REQUIRED", challenge
        status, bad = server.json("POST", "/auth/reset",
                                  {"username": "tom", "newPassword": "Brand-new-1", "session": "forged"})
        assert status == 401 and bad["message"] == "Invalid session for the user.", bad
        status, weak = server.json("POST", "/auth/reset",
                                   {"username": "tom", "newPassword": "short", "session": challenge["session"]})
        assert status == 400 and "at least 3 of: lower-case letters" in weak["message"], weak
        status, ok = server.json("POST", "/auth/reset",
                                 {"username": "tom", "newPassword": "Brand-new-1", "session": challenge["session"]})
        assert status == 200 and ok == {"success": True}, ok
        status, _ = server.json("POST", "/auth/login", {"username": "tom", "password": "Brand-new-1"})
        assert status == 200

        # jose-minted tokens with K9's key format are accepted; the hostile ones are not. Their
        # user must exist: K9 refuses local tokens of users it does not know (or deleted).
        jose_sub = server.run("users", "add", "jose-user", "--password", "Correct-horse-3").stdout.split("(sub ")[1][:-2]
        now = int(time.time())
        claims = {"sub": jose_sub, "iss": "k9-local", "aud": "k9", "token_use": "id",
                  "cognito:username": "jose-user", "name": "Jose Minted", "email": "jose@example.com",
                  "iat": now, "exp": now + 600}
        key = newest_key(server)
        status, profile = server.json("GET", "/user/profile", token=node("mint-token.mjs", key, json.dumps(claims)))
        assert status == 200 and profile["name"] == "Jose Minted", profile
        for mode, message in (("fresh-key", "invalid token signature"), ("hs256-public", "unsupported token algorithm")):
            status, refused = server.json("GET", "/user/profile",
                                          token=node("mint-token.mjs", key, json.dumps(claims), mode))
            assert status == 401 and refused["message"] == message, (mode, refused)
        expired = dict(claims, exp=now - 1)
        status, refused = server.json("GET", "/user/profile", token=node("mint-token.mjs", key, json.dumps(expired)))
        assert status == 401 and refused["message"] == "token has expired", refused

        # `k9 keys rotate` while serving: old tokens keep verifying, new ones carry the new kid.
        old_token = login["idToken"]
        old_kid = header_of(old_token)["kid"]
        out = server.run("keys", "rotate").stdout
        new_kid = out.split()[2]
        assert new_kid != old_kid and old_kid in out, out
        cli_token = server.run("token", "alice").stdout.strip()
        assert header_of(cli_token)["kid"] == new_kid
        deadline = time.time() + 10
        while True:  # the server looks at the key folder at most every 5 seconds
            status, _ = server.json("GET", "/user/profile", token=cli_token)
            if status == 200 or time.time() > deadline:
                break
            time.sleep(0.5)
        assert status == 200, "the server did not pick up the rotated key"
        assert server.json("GET", "/user/profile", token=old_token)[0] == 200
        status, again = server.json("POST", "/auth/login", {"username": "alice", "password": "Correct-horse-1"})
        assert header_of(again["idToken"])["kid"] == new_kid
        status, jwks = server.json("GET", "/.well-known/jwks.json")
        assert [k["kid"] for k in jwks["keys"]] == [new_kid, old_kid], jwks

        # `k9 users delete` while serving: the user's tokens are refused within 5 s (the
        # server rereads a user at most every 5 s), sign-in and refresh at once; others go on.
        server.run("users", "add", "dora", "--password", "Correct-horse-4")
        status, dora = server.json("POST", "/auth/login", {"username": "dora", "password": "Correct-horse-4"})
        assert status == 200, dora
        for token in (dora["idToken"], dora["accessToken"]):
            assert server.json("GET", "/user/profile", token=token)[0] == 200
        deleted_at = time.time()
        out = server.run("users", "delete", "dora").stdout
        assert "deleted dora" in out and "1 refresh tokens revoked" in out and "kept" in out, out
        while True:
            status, refused = server.json("GET", "/reports", token=dora["idToken"])
            if status == 401 or time.time() > deleted_at + 8:
                break
            time.sleep(0.2)
        assert status == 401 and refused["message"] == "user no longer exists", (status, refused)
        assert time.time() - deleted_at < 7, time.time() - deleted_at
        assert server.json("GET", "/user/profile", token=dora["accessToken"])[0] == 401
        status, r = server.json("POST", "/auth/login", {"username": "dora", "password": "Correct-horse-4"})
        assert status == 401 and r["message"] == "Incorrect username or password.", r
        status, r = server.json("POST", "/auth/refresh", {"username": "dora", "refreshToken": dora["refreshToken"]})
        assert status == 401, r
        assert server.json("GET", "/user/profile", token=again["idToken"])[0] == 200  # alice still signs in
        missing = server.run("users", "delete", "dora", check=False)
        assert missing.returncode != 0 and "no such user: dora" in missing.stderr, missing.stderr
        # A new dora is someone else: the old dora's tokens stay refused, the new one's work.
        new_dora = server.add_user("dora", "Correct-horse-5")
        assert server.json("GET", "/user/profile", token=dora["idToken"])[0] == 401
        assert server.json("GET", "/user/profile", token=new_dora)[0] == 200

        # K9_REFRESH_ROTATION=on: each refresh consumes the token and answers the next; the used
        # one coming back is refused and revokes the user's tokens.
        server.kill(signal.SIGTERM)
        server.env["K9_REFRESH_ROTATION"] = "on"
        server.start()
        status, login = server.json("POST", "/auth/login", {"username": "alice", "password": "Correct-horse-1"})
        assert status == 200, login
        status, refreshed = server.json("POST", "/auth/refresh",
                                        {"username": "alice", "refreshToken": login["refreshToken"]})
        assert status == 200 and refreshed["refreshToken"] != login["refreshToken"], refreshed
        status, reuse = server.json("POST", "/auth/refresh", {"username": "alice", "refreshToken": login["refreshToken"]})
        assert status == 401 and reuse["message"] == "Refresh token has already been used", reuse
        status, revoked = server.json("POST", "/auth/refresh",
                                      {"username": "alice", "refreshToken": refreshed["refreshToken"]})
        assert status == 401 and revoked["message"] == "Refresh token has been revoked", revoked

        # Throttling: 5 failures per user in 15 minutes, the same for unknown users.
        for user in ("alice", "nobody"):
            for _ in range(5):
                status, r = server.json("POST", "/auth/login", {"username": user, "password": "Wrong-pass-1"})
                assert status == 401 and r["message"] == "Incorrect username or password.", r
            status, headers, data = server.request("POST", "/auth/login",
                                                   {"username": user, "password": "Correct-horse-1"})
            assert status == 429 and int(headers["Retry-After"]) > 800, (status, headers)
            assert json.loads(data)["code"] == "TooManyRequests"
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
