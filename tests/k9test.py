"""Helpers for system tests: run the real k9 binary on a free loopback port, talk HTTP."""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time


def k9_binary():
    parser = argparse.ArgumentParser()
    parser.add_argument("--k9", required=True)
    args, _ = parser.parse_known_args()
    return os.path.abspath(args.k9)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A k9 server process with its own data folder."""

    def __init__(self, k9, data=None, env=None):
        self.k9 = k9
        self.data = data or tempfile.mkdtemp(prefix="k9-system-")
        self.env = dict(os.environ, K9_DATA=self.data, **(env or {}))
        self.proc = None
        self.port = None
        self.log = None
        self.preexec_fn = None  # runs in the child before exec (e.g. resource limits)

    def run(self, *args, check=True):
        return subprocess.run([self.k9, *args], env=self.env, check=check, capture_output=True, text=True)

    def add_user(self, name, password="Correct-horse-battery", **kw):
        self.run("users", "add", name, "--password", password, *sum(([f"--{k}", v] for k, v in kw.items()), []))
        return self.run("token", name).stdout.strip()

    def start(self):
        """Starts `k9 serve` on a port the kernel picks (--port 0) and reads it from the log:
        no window in which another process can take a port we chose."""
        log_path = os.path.join(self.data, "server.log")
        offset = os.path.getsize(log_path) if os.path.exists(log_path) else 0
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen([self.k9, "serve", "--port", "0"], env=self.env,
                                     stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=self.preexec_fn)
        deadline = time.time() + 30
        self.port = None
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("k9 exited during start-up: " + self.read_log())
            if self.port is None:
                with open(log_path, "rb") as f:
                    f.seek(offset)
                    m = re.search(rb"listening on http://[^:]+:(\d+)", f.read())
                if m:
                    self.port = int(m.group(1))
            if self.port is not None:
                try:
                    status, _, _ = self.request("GET", "/healthz")
                    if status == 200:
                        return self
                except OSError:
                    pass
            time.sleep(0.05)
        raise RuntimeError("k9 did not become healthy: " + self.read_log())

    def read_log(self):
        with open(os.path.join(self.data, "server.log"), "rb") as f:
            return f.read().decode(errors="replace")

    def kill(self, sig=signal.SIGKILL):
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=30)
        self.log.close()
        return code

    def request(self, method, path, body=None, token=None, headers=None, timeout=10):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        conn.request(method, path, body=body, headers=h)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, dict(resp.getheaders()), data

    def json(self, method, path, body=None, token=None):
        status, headers, data = self.request(method, path, body, token)
        return status, (json.loads(data) if data else None)

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.kill()
        elif self.proc and self.proc.returncode not in (0, -9, -15):
            print(f"k9 exited with {self.proc.returncode}; its log ends with:\n" + self.read_log()[-3000:])
        shutil.rmtree(self.data, ignore_errors=True)
