"""DynamoDB Local for system tests: AWS's local DynamoDB from the npm package
amplify-dynamodb-simulator (tests/peers, installed by scripts/install-deps.sh), on a free
loopback port (k9test.Peer). A missing java or package raises: CI installs both, so tests
fail, never skip. The C++ tests' launcher is src/store/dynamodb/dynamodb_local_launcher.cc."""
import contextlib
import os

from fault_proxy import FaultProxy
from k9test import Peer, Server, answers_200, import_boto3, k9_binary

EMULATOR = os.path.abspath(os.environ.get("K9_DYNAMODB_LOCAL_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "peers", "node_modules", "amplify-dynamodb-simulator", "emulator"))

# DynamoDB Local checks only the shape of credentials; the access key names its database.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "k9local", "AWS_SECRET_ACCESS_KEY": "k9localsecret", "AWS_REGION": "us-east-1"}


def every_page(scan, **kw):
    """Every item of a scan (boto3's Table.scan, or a client's scan with TableName=...), read
    consistently, page after page."""
    items, kw = [], dict(kw, ConsistentRead=True)
    while True:
        page = scan(**kw)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class DynamoDbLocal(Peer):
    def __init__(self):
        jar = os.path.join(EMULATOR, "DynamoDBLocal.jar")
        self.require(path=jar)
        self.require(command="java", hint="scripts/install-deps.sh installs default-jre-headless")
        super().__init__("dynamodb-local")
        list_tables = {"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.0",
                       "Authorization": "AWS4-HMAC-SHA256 Credential=k9local/20200101/us-east-1/dynamodb/aws4_request, "
                                        "SignedHeaders=host, Signature=0"}
        self.start(["java", "-Xmx512m", "-Djava.library.path=" + os.path.join(EMULATOR, "DynamoDBLocal_lib"), "-jar", jar,
                    "-inMemory", "-port", str(self.port)],
                   lambda: answers_200(self.endpoint, data=b"{}", headers=list_tables, timeout=2), timeout=60)

    def env(self):
        """Environment for K9 (and boto3) to use this server."""
        return dict(CREDENTIALS, AWS_ENDPOINT_URL_DYNAMODB=self.endpoint)

    def resource(self):
        """A boto3 DynamoDB resource on this server."""
        return import_boto3().resource("dynamodb", endpoint_url=self.endpoint, region_name=CREDENTIALS["AWS_REGION"],
                                       aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
                                       aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"])

    def scan(self, table):
        """Every item of `table`, read consistently, page after page."""
        return every_page(self.resource().Table(table).scan)


@contextlib.contextmanager
def k9_behind_fault_proxy(environment, seed, stall_seconds=5.0, **env):
    """DynamoDB Local, tests/fault_proxy.py in front of it, and K9 with `--store dynamodb`
    (tables `k9-<table>-<environment>`, extra `env`) whose tables are made and user alice
    (password Correct-horse-1) added straight on DynamoDB Local, then served through the proxy.
    Yields (ddb, proxy, server, alice's token); stops all three at the end."""
    with (DynamoDbLocal() as ddb, FaultProxy(ddb.endpoint, seed=seed, stall_seconds=stall_seconds) as proxy,
          Server(k9_binary(), env=dict(ddb.env(), K9_STORE="dynamodb", ENVIRONMENT=environment, **env)) as server):
        server.run("tables", "create")
        token = server.add_user("alice", "Correct-horse-1")
        server.env.update(AWS_ENDPOINT_URL_DYNAMODB=proxy.endpoint)
        server.start()
        yield ddb, proxy, server, token
