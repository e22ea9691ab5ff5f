"""s3rver for system tests: the npm package in tests/peers (scripts/install-deps.sh installs it),
on a free loopback port (k9test.Peer) with one bucket. A missing node or package raises: tests
fail, never skip. The C++ tests' launcher is src/blobs/s3/s3rver_launcher.cc."""
import os

from k9test import Peer, answers_200

BIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers", "node_modules", "s3rver", "bin", "s3rver.js")
BUCKET = "k9-system"


class S3rver(Peer):
    def __init__(self, configs=()):
        """`configs`: the bucket's configuration files (s3rver's --configure-bucket), e.g. a
        CORSConfiguration XML for a browser that fetches the bucket's links."""
        self.require(path=BIN)
        self.require(command="node")
        super().__init__("s3rver")
        # s3rver's continuation tokens need a cipher Node 17+ keeps behind the legacy provider.
        self.start(["node", "--openssl-legacy-provider", BIN, "-d", os.path.join(self.dir, "data"),
                    "-a", "127.0.0.1", "-p", str(self.port), "-s", "--configure-bucket", BUCKET, *configs],
                   lambda: answers_200(self.endpoint + "/"))

    def env(self):
        """Environment for K9 to keep its files in this server's bucket."""
        return {"K9_BLOBS": f"s3://{BUCKET}/k9", "AWS_ENDPOINT_URL_S3": self.endpoint, "AWS_ACCESS_KEY_ID": "S3RVER",
                "AWS_SECRET_ACCESS_KEY": "S3RVER", "AWS_REGION": "us-east-1"}
