"""The system tests' kit: run the real k9 binary on a free loopback port and talk HTTP to it
(Server); start the peers it talks to (Peer: DynamoDB Local in dynamodb_local.py, s3rver in
s3rver.py, cognito-local in npm_peers.py); check and fail."""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib


def k9_binary():
    parser = argparse.ArgumentParser()
    parser.add_argument("--k9", required=True)
    args, _ = parser.parse_known_args()
    return os.path.abspath(args.k9)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check(cond, what):
    """Fails the test, saying `what`, unless `cond`."""
    if not cond:
        raise AssertionError(what)


class Tally:
    """Named checks that go on after a failure, one line each; summary() prints
    'N passed, N failed' and answers the exit code."""

    def __init__(self):
        self.passed = self.failed = 0

    def __call__(self, name, cond, detail=""):
        if cond:
            self.passed += 1
            print(f"ok   {name}")
        else:
            self.failed += 1
            print(f"FAIL {name}\n     {detail}")

    def summary(self, seconds):
        print(f"{self.passed} passed, {self.failed} failed ({seconds:.1f} s)")
        return 1 if self.failed else 0


def import_boto3():
    """boto3 (Debian's python3-boto3). It lives in the system interpreter; when CMake found
    another Python, this script runs again under /usr/bin/python3."""
    try:
        import boto3
        return boto3
    except ImportError:
        if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
            os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
        raise


def answers_200(url, data=None, headers=None, timeout=1):
    """Whether a request to `url` (a POST when `data` is given) answers 200; False when it
    cannot connect or answers an error."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers or {}), timeout=timeout) as r:
            return r.status == 200
    except OSError:
        return False


def broken_png(width=64, height=64):
    """A PNG whose header is sound (uploads take it: they read only the header) and whose pixel
    data is not zlib: the vision code refuses it when it decodes ("the image is corrupt")."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", b"not zlib data" * 8) + chunk(b"IEND", b""))


class Peer:
    """A server a system test starts beside K9 (DynamoDB Local, s3rver, cognito-local): one
    process on a free loopback port (`port`, `endpoint`) with its state and log in a temporary
    folder (`dir`). A missing program or package raises RuntimeError: CI installs them all, so
    tests fail, never skip. A `with` block stops it. The C++ tests' twin is
    src/testing/base/peer_process.h."""

    def __init__(self, name):
        self.name = name
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.dir = tempfile.mkdtemp(prefix=f"k9-{name}-")
        self.proc = None
        self.log = None

    @staticmethod
    def require(path=None, command=None, hint="run scripts/install-deps.sh"):
        if path and not os.path.exists(path):
            raise RuntimeError(f"not installed: no {path} ({hint})")
        if command and not shutil.which(command):
            raise RuntimeError(f"{command} is not installed ({hint})")

    def start(self, argv, ready, timeout=30, env=None):
        """Runs `argv` in `dir`, its output into the log, and returns once `ready()` is true;
        raises RuntimeError with what the peer printed when it exits first or is not ready
        within `timeout` seconds (then it is stopped)."""
        self.log = open(os.path.join(self.dir, f"{self.name}.log"), "wb")
        self.proc = subprocess.Popen(argv, cwd=self.dir, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                printed = self.read_log()
                self.stop()
                raise RuntimeError(f"{self.name} exited during start-up: {printed}")
            if ready():
                return self
            time.sleep(0.1)
        printed = self.read_log()
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {timeout} s: {printed}")

    def read_log(self):
        with open(os.path.join(self.dir, f"{self.name}.log"), "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.log:
            self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


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

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()
