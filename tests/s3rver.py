"""s3rver for system tests: the npm package in tests/peers (scripts/install-deps.sh installs it),
on a free loopback port with one bucket. A missing node or package raises: tests fail, never skip."""
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

BIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers", "node_modules", "s3rver", "bin", "s3rver.js")
BUCKET = "k9-system"


class S3rver:
    def __init__(self):
        if not os.path.exists(BIN):
            raise RuntimeError(f"s3rver is not installed: no {BIN} (run scripts/install-deps.sh)")
        if not shutil.which("node"):
            raise RuntimeError("node is not installed (scripts/install-deps.sh installs it)")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.dir = tempfile.mkdtemp(prefix="k9-s3rver-")
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(self.dir, "s3rver.log"), "wb")
        # s3rver's continuation tokens need a cipher Node 17+ keeps behind the legacy provider.
        self.proc = subprocess.Popen(["node", "--openssl-legacy-provider", BIN, "-d", os.path.join(self.dir, "data"),
                                      "-a", "127.0.0.1", "-p", str(self.port), "-s", "--configure-bucket", BUCKET],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.endpoint + "/", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("s3rver did not start")

    def env(self):
        """Environment for K9 to keep its files in this server's bucket."""
        return {"K9_BLOBS": f"s3://{BUCKET}/k9", "AWS_ENDPOINT_URL_S3": self.endpoint, "AWS_ACCESS_KEY_ID": "S3RVER",
                "AWS_SECRET_ACCESS_KEY": "S3RVER", "AWS_REGION": "us-east-1"}

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
