"""infrastructure/template.yaml, checked without AWS:

(a) the npm cfn-lint (tests/peers) passes it with the current CloudFormation resource
    specification of the npm package @aws-cdk/cfnspec in place of cfn-lint's own of 2019
    (tests/peers/cfn-lint-current-spec.cjs explains the swap): no error, no warning;
(b) its tables, keys and indexes are exactly those `k9 tables create` makes: the real binary
    creates them in DynamoDB Local (ENVIRONMENT=dev), boto3 describes them, and each is
    compared with the template's, Environment=dev substituted: names, key schema, attribute
    definitions, global secondary indexes (name, keys, projection), billing mode. A second
    run with each table variable the template sets given a probe name shows that K9 reads
    every one of them, that each names the table with the right schema, and that K9 reads
    no table variable the template leaves out;
(c) every environment variable K9 reads that matters in AWS mode is set on the function
    (the list and how it was found: ENVIRONMENT_VARIABLES below), with the right values;
(d) what issue 15 asks of the rest: the function, the explicit API with its Cognito
    authorizer, public routes and CORS, the bucket, least-privilege policies, alarms, logs.

Run by CTest as `python3 tests/test_sam_template.py --k9 PATH_TO_K9`."""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

try:
    import boto3
    import yaml
except ImportError:
    # Debian's python3-boto3 and python3-yaml live in the system interpreter; CMake may have found another.
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])
    raise

from dynamodb_local import CREDENTIALS, DynamoDbLocal
from k9test import Tally, k9_binary
from npm_peers import PEERS, require_peer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE = os.path.join(ROOT, "infrastructure", "template.yaml")
SRC = os.path.join(ROOT, "src")

PARAMETERS = {"Environment": "dev", "UserPoolId": "eu-west-1_AbCdEf123", "UserPoolClientId": "client0123456789",
              "BucketName": "k9-dev-files", "Architecture": "x86_64", "CorsOrigin": "*"}
PSEUDO = {"AWS::Region": "eu-west-1", "AWS::AccountId": "123456789012", "AWS::Partition": "aws",
          "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": "k9-dev", "AWS::NoValue": None}

# SPEC section 3.
CORS_METHODS = "GET,POST,PUT,PATCH,DELETE,OPTIONS"
CORS_HEADERS = "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token"

# ---- The environment variables K9 reads ------------------------------------------------------
# How this list was found: `grep -rn getenv src/` finds every lookup: std::getenv directly
# (src/cli/runtime.cc, src/search/scorer.cc, test suites) and the lookup functions passed
# around (aws::Getenv and the `var`/`env`/`pick` lambdas in src/aws/*.cc,
# src/identity/cognito/cognito_settings.cc, src/repo/tables.cc, src/blobs/s3/s3_blob_store.cc,
# src/cli/runtime.cc); `grep -rhoE '"(K9|AWS|DYNAMODB|COGNITO|SIMILARITY|LAMBDA)_[A-Z0-9_]*"|"ENVIRONMENT"' src`
# then lists the names passed to them. scan_source() below repeats both searches on every run,
# so a variable added to src/ without being sorted in here fails this test.
#
# Set by the template on the function (name -> why K9 needs it in AWS mode):
SET_BY_TEMPLATE = {
    "ENVIRONMENT": "table names k9-<table>-<ENVIRONMENT> (src/repo/tables.cc)",
    "DYNAMODB_USERS_TABLE": "the seed's name for the users table",
    "DYNAMODB_REPORTS_TABLE": "the seed's name for the reports table",
    "DYNAMODB_PRODUCTS_TABLE": "the seed's name for the products table",
    "DYNAMODB_EMBEDDINGS_TABLE": "the seed's name for the embeddings table",
    "K9_IDENTITIES_TABLE": "local identities table: every K9 process checks all its tables at start",
    "K9_REFRESH_TOKENS_TABLE": "local refresh tokens table: same",
    "K9_JOBS_TABLE": "the analysis job queue",
    "SIMILARITY_BUCKET": "the seed's name for the bucket (s3:// without a bucket)",
    "COGNITO_USER_POOL_ID": "the pool whose tokens K9 verifies itself",
    "COGNITO_CLIENT_ID": "the app client /auth/login signs in through, the tokens' audience",
    "K9_STORE": "dynamodb",
    "K9_BLOBS": "s3://BUCKET",
    "K9_AUTH": "cognito",
    "K9_DATA": "the data folder must be writable: Lambda's /tmp",
    "K9_CORS_ORIGIN": "CORS origin of SPEC section 3 (the CorsOrigin parameter)",
    "K9_MATRIX_CACHE_MB": "the default (512) is the whole function's memory",
    "K9_MODEL_VERSION": "the visual model new reports are analysed with (the ModelVersion parameter; empty: chosen from the catalog)",
}
# Set by Lambda itself in every sandbox (reserved: a template may not set most of them).
SET_BY_LAMBDA = {
    "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_EXECUTION_ENV", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "_HANDLER",
    "_X_AMZN_TRACE_ID", "TZ",
}
# Read by K9 but not wanted on the Lambda (name -> why not).
NOT_FOR_AWS_MODE = {
    "K9_HOST": "k9 serve's listener", "K9_PORT": "k9 serve's listener", "K9_IO_THREADS": "k9 serve's network threads",
    "K9_WEB_DIR": "k9 serve --web: the web app's files beside the API (on AWS, the app is hosted elsewhere)",
    "K9_BASE_PATH": "k9 serve behind a proxy; API Gateway events carry their stage",
    "K9_PUBLIC_URL": "signed links of file: blobs; S3 files get presigned URLs",
    "K9_ANALYSIS_WORKERS": "k9 serve's worker threads; Lambda analyses in asynchronous invocations",
    "K9_LIST_CACHE": "the embedded (SQLite) store's list cache",
    "K9_REFRESH_ROTATION": "local identities only",
    "K9_TOKEN_LIFETIME_SECONDS": "local identities only (Cognito's app client sets its own)",
    "K9_DOCS_DIR": "the /docs page's files beside k9 serve (the Lambda serves /openapi.json, not the page)",
    "K9_METRICS_PORT": "k9 serve's metrics listener (Lambda reports latency by route as EMF lines)",
    "K9_METRICS_HOST": "same",
    "K9_LOG_LEVEL": "the default (info) fits; set it on the function to change it",
    "K9_LOG_FORMAT": "same (json)",
    "COGNITO_CLIENT_SECRET": "only for an app client with a secret; docs/DEPLOY.md creates one without",
    "K9_COGNITO_ISSUER": "tests: cognito-local's issuer",
    "AWS_ENDPOINT_URL": "tests: emulators", "AWS_ENDPOINT_URL_DYNAMODB": "tests: DynamoDB Local",
    "AWS_ENDPOINT_URL_S3": "tests: s3rver", "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": "tests: cognito-local",
    "AWS_ENDPOINT_URL_LAMBDA": "tests: the Runtime API emulator's Invoke",
    "AWS_PROFILE": "credential files; Lambda gives credentials in the environment",
    "AWS_SHARED_CREDENTIALS_FILE": "same", "AWS_CONFIG_FILE": "same", "HOME": "same (where the files are)",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI": "ECS/EKS credentials", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "same",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN": "same", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "same",
    "K9_SCORER_ISA": "benchmarks force a scoring kernel",
    "AWS_CA_BUNDLE": "a CA bundle of one's own; K9 finds Amazon Linux's (src/aws/http_client.h)",
    "K9_DYNAMODB_LOCAL_DIR": "tests", "K9_S3RVER_BIN": "tests",
}
# Names Lambda reserves: a function may not set them (Lambda refuses the deployment).
LAMBDA_RESERVED = {"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
                   "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
                   "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
                   "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                   "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR"}

check = Tally()


# ---- Reading the template ---------------------------------------------------------------------
class CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short forms (!Ref, !Sub, !GetAtt, ...) as their long forms."""


def _cfn_tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {"Fn::" + suffix: value}


CfnLoader.add_multi_constructor("!", _cfn_tag)


class Template:
    """The template, with Ref/Sub/GetAtt/If resolved for given parameters (a few intrinsics
    are all this template uses; anything else raises)."""

    def __init__(self, path, parameters):
        with open(path) as f:
            self.doc = yaml.load(f, Loader=CfnLoader)
        self.resources = self.doc["Resources"]
        self.params = {k: v.get("Default") for k, v in self.doc.get("Parameters", {}).items()}
        self.params.update(parameters)

    def of_type(self, kind):
        return {k: v for k, v in self.resources.items() if v["Type"] == kind}

    def ref(self, name):
        if name in PSEUDO:
            return PSEUDO[name]
        if name in self.params:
            return self.params[name]
        r = self.resources[name]
        p = r.get("Properties", {})
        named = {"AWS::DynamoDB::Table": "TableName", "AWS::S3::Bucket": "BucketName",
                 "AWS::Serverless::Function": "FunctionName", "AWS::Logs::LogGroup": "LogGroupName"}
        if r["Type"] in named:
            return self.resolve(p[named[r["Type"]]])
        return f"<{name}>"  # physical ids CloudFormation makes up (the API's id, ...)

    def getatt(self, name, attribute):
        r = self.resources[name]
        if attribute != "Arn":
            return f"<{name}.{attribute}>"
        region, account = PSEUDO["AWS::Region"], PSEUDO["AWS::AccountId"]
        kind = r["Type"]
        if kind == "AWS::DynamoDB::Table":
            return f"arn:aws:dynamodb:{region}:{account}:table/{self.ref(name)}"
        if kind == "AWS::S3::Bucket":
            return f"arn:aws:s3:::{self.ref(name)}"
        if kind == "AWS::Logs::LogGroup":
            return f"arn:aws:logs:{region}:{account}:log-group:{self.ref(name)}:*"
        if kind == "AWS::Serverless::Function":
            return f"arn:aws:lambda:{region}:{account}:function:{self.ref(name)}"
        return f"arn:<{name}>"

    def condition(self, name):
        return self.resolve(self.doc["Conditions"][name])

    def resolve(self, v):
        if isinstance(v, list):
            return [x for x in (self.resolve(x) for x in v) if x is not None]
        if not isinstance(v, dict):
            return v
        if len(v) == 1:
            (k, arg), = v.items()
            if k == "Ref":
                return self.ref(arg)
            if k == "Fn::GetAtt":
                return self.getatt(*arg)
            if k == "Fn::Sub":
                text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])

                def one(m):
                    name = m.group(1)
                    if name in extra:
                        return str(self.resolve(extra[name]))
                    if "." in name and name.split(".")[0] in self.resources:
                        return str(self.getatt(*name.split(".", 1)))
                    return str(self.ref(name))
                return re.sub(r"\$\{([^}!]+)\}", one, text)
            if k == "Fn::If":
                cond, yes, no = arg
                return self.resolve(yes if self.condition(cond) else no)
            if k == "Fn::Equals":
                a, b = (self.resolve(x) for x in arg)
                return a == b
            if k == "Fn::Not":
                return not self.resolve(arg[0])
            if k.startswith("Fn::"):
                raise ValueError(f"this test does not resolve {k}")
        return {k: self.resolve(x) for k, x in v.items()}


# ---- (a) cfn-lint with the current specification ------------------------------------------------
def lint(template):
    require_peer("cfn-lint")
    require_peer("@aws-cdk/cfnspec")
    pairs = [f"{k}={v}" for k, v in PARAMETERS.items()]
    r = subprocess.run(["node", os.path.join(PEERS, "cfn-lint-current-spec.cjs"), TEMPLATE, *pairs],
                       capture_output=True, text=True, timeout=120)
    check("cfn-lint runs", r.returncode == 0, r.stderr[-2000:])
    if r.returncode != 0:
        return
    result = json.loads(r.stdout)
    check(f"cfn-lint {result['cfnLintVersion']} uses the current specification ({result['specVersion']}, "
          "not cfn-lint's 2.29.0)", result["specVersion"] != "2.29.0" and int(result["specVersion"].split(".")[0]) >= 100,
          result["specVersion"])
    errors = result["errors"]
    for level in ("crit", "warn"):
        check(f"cfn-lint: no {level}", not errors[level],
              "\n     ".join(f"{e['resource']}: {e['message']}" for e in errors[level]))
    for e in errors["info"]:
        print(f"     cfn-lint info: {e['resource']}: {e['message']}")
    check("cfn-lint: template valid", result["templateValid"], json.dumps(errors)[:2000])


# ---- (b) tables as `k9 tables create` makes them ------------------------------------------------
def k9_env(extra):
    """The environment for k9: this one without K9's own variables, plus `extra`."""
    known = set(SET_BY_TEMPLATE) | set(NOT_FOR_AWS_MODE)
    env = {k: v for k, v in os.environ.items() if k not in known and not k.startswith("K9_")}
    env.update(extra)
    return env


def describe_all(ddb, access_key):
    client = boto3.client("dynamodb", endpoint_url=ddb.endpoint, region_name=CREDENTIALS["AWS_REGION"],
                          aws_access_key_id=access_key, aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"])
    names = client.list_tables()["TableNames"]
    return {n: client.describe_table(TableName=n)["Table"] for n in names}


def shape_of_described(t):
    return {
        "KeySchema": [(k["AttributeName"], k["KeyType"]) for k in t["KeySchema"]],
        "AttributeDefinitions": sorted((a["AttributeName"], a["AttributeType"]) for a in t["AttributeDefinitions"]),
        "GlobalSecondaryIndexes": sorted(
            (g["IndexName"], tuple((k["AttributeName"], k["KeyType"]) for k in g["KeySchema"]),
             g["Projection"]["ProjectionType"], tuple(sorted(g["Projection"].get("NonKeyAttributes", []))))
            for g in t.get("GlobalSecondaryIndexes", [])),
        "LocalSecondaryIndexes": sorted(i["IndexName"] for i in t.get("LocalSecondaryIndexes", [])),
        "BillingMode": t.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED"),
    }


def shape_of_template(p):
    return {
        "KeySchema": [(k["AttributeName"], k["KeyType"]) for k in p["KeySchema"]],
        "AttributeDefinitions": sorted((a["AttributeName"], a["AttributeType"]) for a in p["AttributeDefinitions"]),
        "GlobalSecondaryIndexes": sorted(
            (g["IndexName"], tuple((k["AttributeName"], k["KeyType"]) for k in g["KeySchema"]),
             g["Projection"]["ProjectionType"], tuple(sorted(g["Projection"].get("NonKeyAttributes", []))))
            for g in p.get("GlobalSecondaryIndexes", [])),
        "LocalSecondaryIndexes": sorted(i["IndexName"] for i in p.get("LocalSecondaryIndexes", [])),
        "BillingMode": p.get("BillingMode", "PROVISIONED"),
    }


def tables_as_k9_makes_them(t, k9):
    tables = {t.ref(name): t.resolve(r["Properties"]) for name, r in t.of_type("AWS::DynamoDB::Table").items()}
    function = t.resolve(only(t.of_type("AWS::Serverless::Function"))["Properties"])
    variables = function["Environment"]["Variables"]
    ddb = DynamoDbLocal()
    try:
        # k9's own defaults, ENVIRONMENT=dev: the same names the template makes with Environment=dev.
        data = tempfile.mkdtemp(prefix="k9-sam-template-")
        env = k9_env(dict(ddb.env(), K9_STORE="dynamodb", ENVIRONMENT="dev", K9_DATA=data))
        r = subprocess.run([k9, "tables", "create"], env=env, capture_output=True, text=True, timeout=120)
        check("k9 tables create (DynamoDB Local, ENVIRONMENT=dev) succeeds", r.returncode == 0, r.stdout + r.stderr)
        made = describe_all(ddb, CREDENTIALS["AWS_ACCESS_KEY_ID"])
        check("the template has exactly the tables k9 tables create makes", set(made) == set(tables),
              f"k9 makes {sorted(made)}; the template has {sorted(tables)}")
        for name in sorted(set(made) & set(tables)):
            want, got = shape_of_described(made[name]), shape_of_template(tables[name])
            for field in want:
                check(f"{name}: {field} as k9 makes it", want[field] == got[field],
                      f"k9: {want[field]}\n     template: {got[field]}")

        # Each table variable the template sets, given a probe name: K9 must read every one,
        # each must name the table with that schema, and K9 must read no other table variable.
        table_vars = {var: value for var, value in variables.items() if value in tables}
        probe_env = {var: f"probe-{var.lower().replace('_', '-')}" for var in table_vars}
        probe_key = "k9probe"  # DynamoDB Local: another access key, another database
        env = k9_env(dict(ddb.env(), K9_STORE="dynamodb", ENVIRONMENT="probe", K9_DATA=data,
                          AWS_ACCESS_KEY_ID=probe_key, **probe_env))
        r = subprocess.run([k9, "tables", "create"], env=env, capture_output=True, text=True, timeout=120)
        check("k9 tables create with the template's table variables succeeds", r.returncode == 0, r.stdout + r.stderr)
        probed = describe_all(ddb, probe_key)
        by_probe = {v: k for k, v in probe_env.items()}
        unread = sorted(var for var, name in probe_env.items() if name not in probed)
        check("K9 reads every table variable the template sets", not unread, f"not read: {unread}")
        unnamed = sorted(n for n in probed if n not in by_probe)
        check("K9 reads no table variable the template leaves out", not unnamed,
              f"tables named by K9's defaults, so some variable K9 reads for them is missing: {unnamed}")
        for name, desc in sorted(probed.items()):
            if name in by_probe:
                var = by_probe[name]
                want, got = shape_of_described(desc), shape_of_template(tables[table_vars[var]])
                check(f"{var} names the table with the schema K9 wants for it", want == got,
                      f"K9 makes {want}\n     the template's {table_vars[var]} is {got}")
    finally:
        ddb.stop()


# ---- (c) environment variables ----------------------------------------------------------------
# Quoted names of that shape that are no variable: DynamoDB's export format (table_export).
NOT_VARIABLES = {"DYNAMODB_JSON"}


def scan_source():
    """Every environment variable name src/ reads: std::getenv("X") and the names passed to
    the lookup functions. Unit tests and conformance suites are left out (they read only
    test settings)."""
    names = {}
    getenv = re.compile(r'getenv\s*\(\s*"([A-Za-z_][A-Za-z0-9_]*)"')
    quoted = re.compile(r'"((?:K9|AWS|DYNAMODB|COGNITO|SIMILARITY|LAMBDA)_[A-Z0-9_]*[A-Z0-9]|ENVIRONMENT|_X_AMZN_TRACE_ID'
                        r'|_HANDLER)"')
    for folder, _, files in os.walk(SRC):
        for f in files:
            if not f.endswith((".cc", ".h")) or f.endswith(("_test.cc", "_suite.cc", "_launcher.cc")):
                continue
            path = os.path.join(folder, f)
            with open(path, errors="replace") as fh:
                text = fh.read()
            for m in list(getenv.finditer(text)) + list(quoted.finditer(text)):
                if m.group(1) not in NOT_VARIABLES:
                    names.setdefault(m.group(1), os.path.relpath(path, ROOT))
    return names


def environment_variables(t):
    function = t.resolve(only(t.of_type("AWS::Serverless::Function"))["Properties"])
    variables = function["Environment"]["Variables"]
    found = scan_source()
    check("the scan of src/ finds K9's variables", {"K9_STORE", "DYNAMODB_USERS_TABLE", "COGNITO_USER_POOL_ID"} <= set(found),
          sorted(found))
    known = set(SET_BY_TEMPLATE) | SET_BY_LAMBDA | set(NOT_FOR_AWS_MODE)
    unsorted = {n: where for n, where in found.items() if n not in known}
    check("every variable src/ reads is sorted into this test's lists", not unsorted,
          "add each to SET_BY_TEMPLATE (and the template), SET_BY_LAMBDA or NOT_FOR_AWS_MODE: " +
          ", ".join(f"{n} ({w})" for n, w in sorted(unsorted.items())))
    # Issue 14: `k9 --help` lists every variable K9 reads (the same scan).
    helptext = subprocess.run([k9_binary(), "--help"], capture_output=True, text=True).stdout
    unlisted = sorted(n for n in found if n not in helptext)
    check("`k9 --help` lists every variable src/ reads", not unlisted, f"not in --help: {unlisted}")
    missing = sorted(set(SET_BY_TEMPLATE) - set(variables))
    check("the function sets every variable K9 needs in AWS mode", not missing, f"not set: {missing}")
    stale = sorted(n for n in SET_BY_TEMPLATE if n not in found)
    if stale:
        print(f"     note: src/ no longer reads {stale}")
    reserved = sorted(set(variables) & LAMBDA_RESERVED)
    check("the function sets no variable Lambda reserves", not reserved, reserved)
    extra = sorted(set(variables) - set(SET_BY_TEMPLATE))
    check("the function sets nothing K9 does not read", not extra, extra)
    p = t.params
    want = {"ENVIRONMENT": p["Environment"], "K9_STORE": "dynamodb", "K9_AUTH": "cognito",
            "K9_BLOBS": f"s3://{p['BucketName']}", "SIMILARITY_BUCKET": p["BucketName"],
            "COGNITO_USER_POOL_ID": p["UserPoolId"], "COGNITO_CLIENT_ID": p["UserPoolClientId"],
            "K9_CORS_ORIGIN": p["CorsOrigin"]}
    for var, value in want.items():
        check(f"{var}={value}", variables.get(var) == value, f"the template gives {variables.get(var)!r}")
    check("K9_DATA is under /tmp (Lambda's only writable folder)", str(variables.get("K9_DATA", "")).startswith("/tmp/"),
          variables.get("K9_DATA"))
    check("K9_MATRIX_CACHE_MB leaves room in 512 MB", 0 < int(variables.get("K9_MATRIX_CACHE_MB", 512)) <= 256,
          variables.get("K9_MATRIX_CACHE_MB"))


# ---- (d) the rest of issue 15 item 5 ------------------------------------------------------------
def only(resources):
    assert len(resources) == 1, f"expected one, found {sorted(resources)}"
    return next(iter(resources.values()))


def iam_statements(t):
    """Every statement of every IAM policy in the template (roles and SAM function policies)."""
    out = []
    for name, r in t.resources.items():
        p = r.get("Properties", {})
        if r["Type"] == "AWS::IAM::Role":
            for policy in p.get("Policies", []):
                out += [(f"{name}/{policy['PolicyName']}", s) for s in t.resolve(policy["PolicyDocument"])["Statement"]]
        if r["Type"] == "AWS::IAM::Policy" or r["Type"] == "AWS::IAM::ManagedPolicy":
            out += [(name, s) for s in t.resolve(p["PolicyDocument"])["Statement"]]
        if r["Type"] == "AWS::Serverless::Function":
            for policy in p.get("Policies", []) if isinstance(p.get("Policies"), list) else []:
                if isinstance(policy, dict) and "Statement" in policy:
                    out += [(f"{name}/Policies", s) for s in t.resolve(policy)["Statement"]]
    return out


def as_list(x):
    return x if isinstance(x, list) else [x]


def rest_of_template(t):
    doc = t.doc
    check("Transform: AWS::Serverless-2016-10-31", doc.get("Transform") == "AWS::Serverless-2016-10-31", doc.get("Transform"))
    params = doc["Parameters"]
    for name in ("Environment", "UserPoolId", "UserPoolClientId", "BucketName", "Architecture", "CorsOrigin"):
        check(f"parameter {name}", name in params, sorted(params))
    check("Architecture is x86_64 or arm64", sorted(params["Architecture"].get("AllowedValues", [])) == ["arm64", "x86_64"],
          params["Architecture"])
    check("CorsOrigin defaults to *", params["CorsOrigin"].get("Default") == "*", params["CorsOrigin"])
    # Issue 19: empty, K9_MODEL_VERSION is empty, which K9 reads as unset (Config::from_env), so it
    # takes k9-classic-2 or the version the catalog has (a stack made before k9-classic-2 keeps
    # working after an update).
    check("ModelVersion defaults to empty", params["ModelVersion"].get("Default") == "" and
          sorted(params["ModelVersion"].get("AllowedValues", [])) == ["", "k9-classic-1", "k9-classic-2"],
          params["ModelVersion"])
    for given, want in (("", ""), ("k9-classic-2", "k9-classic-2")):
        tv = Template(TEMPLATE, dict(PARAMETERS, ModelVersion=given))
        got = tv.resolve(only(tv.of_type("AWS::Serverless::Function"))["Properties"])["Environment"]["Variables"]
        check(f"ModelVersion={given!r}: K9_MODEL_VERSION is {want!r}", got.get("K9_MODEL_VERSION") == want, got)

    fname, fres = next(iter(t.of_type("AWS::Serverless::Function").items()))
    f = fres["Properties"]
    check("the function: provided.al2023, handler bootstrap, 512 MB, the package",
          (f.get("Runtime"), f.get("Handler"), f.get("MemorySize"), f.get("CodeUri")) ==
          ("provided.al2023", "bootstrap", 512, "../dist/k9-lambda.zip"), {k: f.get(k) for k in ("Runtime", "Handler",
                                                                                                "MemorySize", "CodeUri")})
    check("the function's architecture is the parameter", f.get("Architectures") == [{"Ref": "Architecture"}],
          f.get("Architectures"))
    function_name = t.ref(fname)

    # The API: explicit, Cognito authorizer, routes.
    apis = t.of_type("AWS::Serverless::Api")
    check("one explicit AWS::Serverless::Api", len(apis) == 1, sorted(apis))
    (api_name, api), = apis.items()
    ap = api["Properties"]
    auth = ap.get("Auth", {})
    authorizer = auth.get("Authorizers", {}).get(auth.get("DefaultAuthorizer"), {})
    check("the API's default authorizer is the Cognito user pool of UserPoolId",
          t.resolve(authorizer.get("UserPoolArn")) ==
          f"arn:aws:cognito-idp:eu-west-1:123456789012:userpool/{PARAMETERS['UserPoolId']}", authorizer)
    check("binary media types */* (images, ZIPs pass base64)", "*~1*" in ap.get("BinaryMediaTypes", []),
          ap.get("BinaryMediaTypes"))
    routes = {}
    schedules = []
    for ename, e in f.get("Events", {}).items():
        ep = e["Properties"]
        if e["Type"] == "Schedule":  # K9's own event, not a route
            schedules.append(ep)
            continue
        check(f"event {ename} is on the explicit API", e["Type"] == "Api" and ep.get("RestApiId") == {"Ref": api_name}, e)
        routes[(ep["Path"], ep["Method"].upper())] = ep.get("Auth", {}).get("Authorizer", "default")
    want_routes = {("/{proxy+}", "ANY"): "default", ("/{proxy+}", "OPTIONS"): "NONE", ("/auth/{proxy+}", "ANY"): "NONE",
                   ("/healthz", "ANY"): "NONE", ("/readyz", "GET"): "NONE", ("/files/{proxy+}", "ANY"): "NONE"}
    check("routes: /{proxy+} with the authorizer; preflights, /auth, /healthz, /readyz, /files without",
          routes == want_routes, f"{routes}")
    check("a schedule sends K9's own analysis event every minute (work whose invocation was lost)",
          len(schedules) == 1 and schedules[0].get("Schedule") == "rate(1 minute)" and
          json.loads(schedules[0].get("Input", "{}")) == {"k9": {"task": "analysis"}}, schedules)
    # CORS on the answers API Gateway gives itself (K9 adds it to its own, K9_CORS_ORIGIN).
    responses = {r["Properties"]["ResponseType"]: t.resolve(r["Properties"])
                 for r in t.of_type("AWS::ApiGateway::GatewayResponse").values()}
    for kind in ("UNAUTHORIZED", "ACCESS_DENIED", "MISSING_AUTHENTICATION_TOKEN", "THROTTLED", "DEFAULT_4XX", "DEFAULT_5XX"):
        h = responses.get(kind, {}).get("ResponseParameters", {})
        check(f"gateway response {kind}: the CORS of SPEC section 3",
              h.get("gatewayresponse.header.Access-Control-Allow-Origin") == "'*'" and
              h.get("gatewayresponse.header.Access-Control-Allow-Methods") == f"'{CORS_METHODS}'" and
              h.get("gatewayresponse.header.Access-Control-Allow-Headers") == f"'{CORS_HEADERS}'", h)
    out = t.resolve(doc.get("Outputs", {}).get("ApiUrl", {}).get("Value"))
    check("output ApiUrl", out == "https://<Api>.execute-api.eu-west-1.amazonaws.com/dev", out)

    # scripts/deploy.sh checks before a first deployment that none of the tables exists yet.
    with open(os.path.join(ROOT, "scripts", "deploy.sh")) as fh:
        m = re.search(r"^readonly TABLES=\(([^)]*)\)", fh.read(), re.M)
    listed = {f"k9-{x}-dev" for x in m.group(1).split()} if m else set()
    check("scripts/deploy.sh's TABLES are the template's tables", listed == {t.ref(n) for n in t.of_type(
        "AWS::DynamoDB::Table")}, sorted(listed))

    # Tables.
    for name, r in t.of_type("AWS::DynamoDB::Table").items():
        p = r["Properties"]
        check(f"{name}: on demand, point-in-time recovery, encryption, retained",
              p.get("BillingMode") == "PAY_PER_REQUEST" and
              p.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled") is True and
              p.get("SSESpecification", {}).get("SSEEnabled") is True and
              r.get("DeletionPolicy") == "Retain" and r.get("UpdateReplacePolicy") == "Retain", r)

    # The bucket.
    (bname, b), = t.of_type("AWS::S3::Bucket").items()
    bp = t.resolve(b["Properties"])
    check("bucket named by BucketName, versioned, retained",
          bp.get("BucketName") == PARAMETERS["BucketName"] and bp.get("VersioningConfiguration") == {"Status": "Enabled"}
          and b.get("DeletionPolicy") == "Retain" and b.get("UpdateReplacePolicy") == "Retain", bp)
    check("bucket: all public access blocked", bp.get("PublicAccessBlockConfiguration") == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
          bp.get("PublicAccessBlockConfiguration"))
    rules = bp.get("LifecycleConfiguration", {}).get("Rules", [])
    check("bucket: uploads/ expire after 2 days", any(
        r.get("Status") == "Enabled" and (r.get("Prefix") or r.get("Filter", {}).get("Prefix")) == "uploads/" and
        r.get("ExpirationInDays") == 2 for r in rules), rules)
    check("bucket: noncurrent versions expire after 30 days", any(
        r.get("Status") == "Enabled" and not (r.get("Prefix") or r.get("Filter")) and
        (r.get("NoncurrentVersionExpirationInDays") == 30 or
         r.get("NoncurrentVersionExpiration", {}).get("NoncurrentDays") == 30) for r in rules), rules)
    policies = [t.resolve(r["Properties"]) for r in t.of_type("AWS::S3::BucketPolicy").values()]
    check("bucket policy: nothing without TLS", any(
        p["Bucket"] == PARAMETERS["BucketName"] and any(
            s["Effect"] == "Deny" and s.get("Principal") == "*" and
            s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false" and
            set(as_list(s["Resource"])) == {f"arn:aws:s3:::{PARAMETERS['BucketName']}",
                                           f"arn:aws:s3:::{PARAMETERS['BucketName']}/*"}
            for s in p["PolicyDocument"]["Statement"]) for p in policies), policies)

    # Least privilege.
    statements = iam_statements(t)
    check("the function has its own role", f.get("Role") is not None and "Policies" not in f, f.get("Role"))
    allows = [(where, s) for where, s in statements if s.get("Effect") == "Allow"]
    wild_actions = [(w, s["Action"]) for w, s in allows for a in as_list(s.get("Action", [])) if "*" in a]
    check("no Allow with a * action", not wild_actions, wild_actions)
    check("no NotAction / NotResource", not any("NotAction" in s or "NotResource" in s for _, s in allows), allows)
    wild_resources = [(w, s) for w, s in allows if "*" in as_list(s.get("Resource", []))
                      and set(as_list(s["Action"])) != {"dynamodb:ListTables"} and set(as_list(s["Action"])) != {"sts:AssumeRole"}]
    check("no Allow on every resource (but ListTables, which IAM cannot scope)", not wild_resources, wild_resources)
    region, account = PSEUDO["AWS::Region"], PSEUDO["AWS::AccountId"]
    table_arns = set()
    for name, r in t.of_type("AWS::DynamoDB::Table").items():
        arn = t.getatt(name, "Arn")
        table_arns.add(arn)
        table_arns |= {f"{arn}/index/{g['IndexName']}" for g in r["Properties"].get("GlobalSecondaryIndexes", [])}
    ddb_resources = {res for _, s in allows if any(a.startswith("dynamodb:") and a != "dynamodb:ListTables"
                                                    for a in as_list(s["Action"])) for res in as_list(s["Resource"])}
    check("DynamoDB access is to K9's tables and indexes, all of them", ddb_resources == table_arns,
          f"missing {sorted(table_arns - ddb_resources)}, extra {sorted(ddb_resources - table_arns)}")
    s3_resources = {res for _, s in allows if any(a.startswith("s3:") for a in as_list(s["Action"]))
                    for res in as_list(s["Resource"])}
    check("S3 access is to the bucket only", s3_resources == {f"arn:aws:s3:::{PARAMETERS['BucketName']}",
                                                              f"arn:aws:s3:::{PARAMETERS['BucketName']}/*"}, s3_resources)
    invoke = [s for _, s in allows if "lambda:InvokeFunction" in as_list(s["Action"])]
    check("lambda:InvokeFunction on the function itself only (asynchronous analysis)",
          len(invoke) == 1 and as_list(invoke[0]["Resource"]) ==
          [f"arn:aws:lambda:{region}:{account}:function:{function_name}"], invoke)

    # Logs and alarms.
    groups = [t.resolve(r["Properties"]) for r in t.of_type("AWS::Logs::LogGroup").values()]
    check("the function's log group has a retention", any(
        g["LogGroupName"] == f"/aws/lambda/{function_name}" and g.get("RetentionInDays") for g in groups), groups)
    alarms = [t.resolve(r["Properties"]) for r in t.of_type("AWS::CloudWatch::Alarm").values()]
    on_function = [a for a in alarms if {"Name": "FunctionName", "Value": function_name} in a.get("Dimensions", [])]
    for metric, stat in (("Errors", None), ("Throttles", None), ("Duration", "p99")):
        check(f"alarm on the function's {metric}{' ' + stat if stat else ''}", any(
            a["Namespace"] == "AWS/Lambda" and a["MetricName"] == metric and (stat is None or a.get("ExtendedStatistic")
                                                                               == stat) for a in on_function), alarms)


def main():
    start = time.time()
    k9 = k9_binary()
    t = Template(TEMPLATE, PARAMETERS)
    lint(t)
    print(f"     (cfn-lint: {time.time() - start:.1f} s)")
    environment_variables(t)
    rest_of_template(t)
    if not os.access(k9, os.X_OK):
        check(f"{k9} is an executable", False, "build it first")
    else:
        tables_as_k9_makes_them(t, k9)
    return check.summary(time.time() - start)


if __name__ == "__main__":
    sys.exit(main())
