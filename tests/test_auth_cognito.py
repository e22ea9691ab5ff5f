"""Cognito mode through the real binary against cognito-local (npm), set up with the real AWS SDK
for JavaScript: sign in through K9's /auth/login, call K9 with the pool's tokens, refresh, the
temporary-password flow, and tokens of another pool or app client refused."""
import contextlib
import json
import sys

from k9test import Server, k9_binary
from npm_peers import CognitoLocal, node, require_peer

USERS = [
    {"username": "alice", "password": "Alice-pass-1", "name": "Alice", "email": "alice@example.com"},
    {"username": "tom", "password": "Temp-pass-1", "temporary": True},
]


def k9_for(cognito, pool, client):
    return Server(k9_binary(), env={
        "K9_AUTH": "cognito", "COGNITO_USER_POOL_ID": pool, "COGNITO_CLIENT_ID": client, "AWS_REGION": "local",
        "K9_COGNITO_ISSUER": f"{cognito.endpoint}/{pool}",
        "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": cognito.endpoint,
    })


def login(server, username, password):
    return server.json("POST", "/auth/login", {"username": username, "password": password})


def main():
    require_peer("@aws-sdk/client-cognito-identity-provider")
    with contextlib.ExitStack() as running:
        cognito = running.enter_context(CognitoLocal())
        ids = json.loads(node("cognito-pool.mjs", cognito.endpoint, json.dumps(USERS)))
        server = running.enter_context(k9_for(cognito, ids["poolId"], ids["clientId"])).start()

        # Sign in through K9, then call K9 with the pool's id and access tokens.
        status, tokens = login(server, "alice", "Alice-pass-1")
        assert status == 200 and tokens["tokenType"] == "Bearer" and tokens["refreshToken"], tokens
        status, profile = server.json("GET", "/user/profile", token=tokens["idToken"])
        assert status == 200 and profile["email"] == "alice@example.com", profile
        status, created = server.json("POST", "/reports", {"title": "Hall", "reference": {"model": "Oak"}},
                                      tokens["accessToken"])
        assert status == 201, created
        status, page = server.json("GET", "/reports", token=tokens["idToken"])
        assert status == 200 and page["total"] == 1, page

        # Refresh: new tokens that work; Cognito does not rotate the refresh token.
        status, refreshed = server.json("POST", "/auth/refresh",
                                        {"username": "alice", "refreshToken": tokens["refreshToken"]})
        assert status == 200 and "refreshToken" not in refreshed, refreshed
        assert server.json("GET", "/reports", token=refreshed["accessToken"])[1]["total"] == 1
        status, bad = server.json("POST", "/auth/refresh", {"username": "alice", "refreshToken": "not-a-token"})
        assert status == 401, bad

        # Wrong password and unknown user: one answer.
        s1, wrong = login(server, "alice", "Wrong-pass-1")
        s2, nobody = login(server, "nobody", "Wrong-pass-1")
        # (each error body names its own request: the rest is the same)
        assert wrong.pop("requestId") and nobody.pop("requestId"), (wrong, nobody)
        assert s1 == s2 == 401 and wrong == nobody == {"message": "Incorrect username or password.",
                                                       "code": "Unauthorized"}, (wrong, nobody)

        # The temporary-password flow.
        status, challenge = login(server, "tom", "Temp-pass-1")
        assert status == 202 and challenge["challenge"] == "NEW_PASSWORD_REQUIRED" and challenge["session"], challenge
        status, ok = server.json("POST", "/auth/reset", {"username": "tom", "newPassword": "Brand-new-1",
                                                         "session": challenge["session"]})
        assert status == 200 and ok == {"success": True}, ok
        status, tom = login(server, "tom", "Brand-new-1")
        assert status == 200, tom
        assert server.json("GET", "/user/profile", token=tom["idToken"])[0] == 200

        # Tokens of another app client of the pool, or of another pool: 401, nothing stored.
        other_client = running.enter_context(k9_for(cognito, ids["poolId"], ids["otherClientId"])).start()
        status, foreign = login(other_client, "alice", "Alice-pass-1")
        assert status == 200, foreign
        other_pool = running.enter_context(k9_for(cognito, ids["otherPoolId"], ids["otherPoolClientId"])).start()
        status, elsewhere = login(other_pool, "alice", "Alice-pass-1")
        assert status == 200, elsewhere
        for token, message in ((foreign["idToken"], "wrong token audience"),
                               (foreign["accessToken"], "wrong token client"),
                               (elsewhere["idToken"], "wrong token issuer")):
            status, refused = server.json("POST", "/reports", {"title": "x", "reference": {"model": "y"}}, token)
            assert status == 401 and refused["message"] == message, refused
        assert server.json("GET", "/reports", token=tokens["idToken"])[1]["total"] == 1

        # Local-mode commands refuse to run in Cognito mode.
        r = server.run("users", "add", "bob", "--password", "Bob-pass-1", check=False)
        assert r.returncode != 0 and "local-mode" in r.stderr, r.stderr
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
