"""Catalog items for large-catalog benchmarks on DynamoDB Local: the synthetic snapshot's ids
p00000000.. (bench/synthetic_snapshot.cc) as copies of one real product item, so that search
pages, favorites and exports find them. Used by bench/lambda_rss.py and bench/webapp_submit.py."""
import os
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from k9test import import_boto3  # noqa: E402


def fill_products(endpoint, env, n, source_id=None):
    """Writes n items to k9-products-<ENVIRONMENT>, copies of `source_id`'s item (default: any
    one), with env's credentials: DynamoDB Local keeps one database per access key and region."""
    dyn = import_boto3().client("dynamodb", endpoint_url=endpoint, region_name=env["AWS_REGION"],
                                aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                                aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])
    table = f"k9-products-{env['ENVIRONMENT']}"
    if source_id:
        item = dyn.get_item(TableName=table, Key={"id": {"S": source_id}}, ConsistentRead=True)["Item"]
    else:
        item = dyn.scan(TableName=table, Limit=1)["Items"][0]

    def write(lo, hi):
        for at in range(lo, hi, 25):
            req = {table: [{"PutRequest": {"Item": dict(item, id={"S": f"p{i:08d}"})}} for i in range(at, min(hi, at + 25))]}
            while req:
                req = dyn.batch_write_item(RequestItems=req).get("UnprocessedItems") or None

    step = (n + 3) // 4
    threads = [threading.Thread(target=write, args=(k * step, min(n, (k + 1) * step))) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
