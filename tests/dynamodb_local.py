"""DynamoDB Local for system tests: AWS's local DynamoDB from the npm package
amplify-dynamodb-simulator (tests/peers, installed by scripts/install-deps.sh), on a free
loopback port. A missing java or package raises: CI installs both, so tests fail, never skip."""
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

EMULATOR = os.environ.get("K9_DYNAMODB_LOCAL_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "peers", "node_modules", "amplify-dynamodb-simulator", "emulator")

# DynamoDB Local checks only the shape of credentials; the access key names its database.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "k9local", "AWS_SECRET_ACCESS_KEY": "k9localsecret", "AWS_REGION": "us-east-1"}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DynamoDbLocal:
    def __init__(self):
        jar = os.path.join(EMULATOR, "DynamoDBLocal.jar")
        if not os.path.exists(jar):
            raise RuntimeError(f"DynamoDB Local is not installed: no {jar} (run scripts/install-deps.sh)")
        if not shutil.which("java"):
            raise RuntimeError("java is not installed (scripts/install-deps.sh installs default-jre-headless)")
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            ["java", "-Xmx512m", "-Djava.library.path=" + os.path.join(EMULATOR, "DynamoDBLocal_lib"), "-jar", jar,
             "-inMemory", "-port", str(self.port)], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("DynamoDB Local exited: " + self._log())
            try:
                req = urllib.request.Request(self.endpoint, data=b"{}", headers={
                    "X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.0",
                    "Authorization": "AWS4-HMAC-SHA256 Credential=k9local/20200101/us-east-1/dynamodb/aws4_request, "
                                     "SignedHeaders=host, Signature=0"})
                with urllib.request.urlopen(req, timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("DynamoDB Local did not answer in 60 s: " + self._log())

    def _log(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def env(self):
        """Environment for K9 (and boto3) to use this server."""
        return dict(CREDENTIALS, AWS_ENDPOINT_URL_DYNAMODB=self.endpoint)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
