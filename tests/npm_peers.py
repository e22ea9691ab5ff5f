"""Helpers for system tests that use the npm peers of tests/peers (node scripts, cognito-local)."""
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

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


class CognitoLocal:
    """cognito-local on a free loopback port, with its state in a temporary folder."""

    def __init__(self, port):
        self.port = port
        self.dir = tempfile.mkdtemp(prefix="k9-cognito-local-")
        os.makedirs(os.path.join(self.dir, ".cognito"))
        with open(os.path.join(self.dir, ".cognito", "config.json"), "w") as f:
            json.dump({"UserPoolDefaults": {"UsernameAttributes": []}}, f)  # plain usernames
        self.log = open(os.path.join(self.dir, "cognito-local.log"), "wb")
        env = dict(os.environ, PORT=str(port), HOST="127.0.0.1")
        start = os.path.join(PEERS, "node_modules", "cognito-local", "lib", "bin", "start.js")
        self.proc = subprocess.Popen(["node", start], cwd=self.dir, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.endpoint = f"http://127.0.0.1:{port}"
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.endpoint + "/health", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("cognito-local did not start")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
