"""Helpers for system tests that use the npm peers of tests/peers (node scripts, cognito-local)."""
import json
import os
import shutil
import subprocess

from k9test import Peer, answers_200

PEERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers")


def require_peer(package):
    """Fails loudly (not a skip) when scripts/install-deps.sh has not installed the npm peers."""
    if shutil.which("node") is None:
        raise SystemExit("node is missing: run scripts/install-deps.sh")
    if not os.path.isdir(os.path.join(PEERS, "node_modules", package)):
        raise SystemExit(f"tests/peers/node_modules/{package} is missing: run scripts/install-deps.sh")


def node(script, *args):
    """Runs tests/peers/SCRIPT with node and answers its standard output."""
    out = subprocess.run(["node", os.path.join(PEERS, script), *args], check=True, capture_output=True, text=True)
    return out.stdout


class CognitoLocal(Peer):
    """cognito-local on a free loopback port (k9test.Peer), its state in the peer's folder."""

    def __init__(self):
        require_peer("cognito-local")
        super().__init__("cognito-local")
        os.makedirs(os.path.join(self.dir, ".cognito"))
        with open(os.path.join(self.dir, ".cognito", "config.json"), "w") as f:
            json.dump({"UserPoolDefaults": {"UsernameAttributes": []}}, f)  # plain usernames
        start = os.path.join(PEERS, "node_modules", "cognito-local", "lib", "bin", "start.js")
        self.start(["node", start], lambda: answers_200(self.endpoint + "/health"),
                   env=dict(os.environ, PORT=str(self.port), HOST="127.0.0.1"))
