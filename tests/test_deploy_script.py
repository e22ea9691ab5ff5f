"""scripts/deploy.sh without AWS: `--dry-run` prints every step with the given arguments and
runs nothing; a missing or bad argument and a missing tool stop it first, with a clear
message and their own exit code; and a real run against a fake `aws` (a script on PATH that
answers like awscli and records every call) creates the artifacts bucket once, checks that a
first deploy finds no bucket or table in its way, and deploys with the expected parameters.
The fake runs with --redeploy (a packaged template given), so nothing is built here.

Run by CTest as `python3 tests/test_deploy_script.py --k9 PATH` (the binary is not used)."""
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from k9test import Tally  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEPLOY = os.path.join(ROOT, "scripts", "deploy.sh")
ARGS = ["--environment", "qa", "--user-pool-id", "eu-west-1_AbC123", "--bucket-name", "k9-qa-files"]
EXIT_USAGE, EXIT_TOOL, EXIT_AWS, EXIT_CONFLICT = 2, 3, 4, 5

check = Tally()


def deploy(*args, env=None, path=None):
    e = dict(os.environ if env is None else env)
    if path is not None:
        e["PATH"] = path
    return subprocess.run([DEPLOY, *args], env=e, capture_output=True, text=True, timeout=60, cwd=tempfile.gettempdir())


def plus_lines(out):
    return [line[2:] for line in out.splitlines() if line.startswith("+ ")]


def test_help():
    r = deploy("--help")
    check("--help answers 0 with the usage", r.returncode == 0 and "--environment" in r.stdout and "--dry-run" in r.stdout,
          r.stdout + r.stderr)


def test_dry_run():
    r = deploy(*ARGS, "--client-id", "client123", "--profile", "ops", "--architecture", "arm64", "--dry-run")
    out = r.stdout
    check("dry run exits 0", r.returncode == 0, out + r.stderr)
    lines = plus_lines(out)
    check("dry run: every stdout line is a '+ ' command", lines and len(lines) == len(out.splitlines()), out)
    check("dry run says it ran nothing", "nothing was run" in r.stderr, r.stderr)
    # Every AWS call carries the pool's region and the profile.
    aws = [l for l in lines if l.startswith("aws ")]
    check("every aws command has --region eu-west-1 --profile ops",
          aws and all("--region eu-west-1" in l and "--profile ops" in l for l in aws), "\n".join(aws))

    def index(pattern):
        for i, l in enumerate(lines):
            if re.search(pattern, l):
                return i
        return -1

    steps = [
        ("credentials", r"^aws sts get-caller-identity "),
        ("the app client has no secret", r"^aws cognito-idp describe-user-pool-client --user-pool-id eu-west-1_AbC123 "
                                         r"--client-id client123 "),
        ("is the stack there", r"^aws cloudformation describe-stacks --stack-name k9-qa .*StackStatus"),
        ("no bucket in the way", r"^aws s3api head-bucket --bucket k9-qa-files "),
        ("no table in the way", r"^aws dynamodb describe-table --table-name k9-users-qa "),
        ("the artifacts bucket, checked", r"^aws s3api head-bucket --bucket 'k9-deploy-<account-id>-eu-west-1' "),
        ("the artifacts bucket, created when missing", r"^aws s3api create-bucket --bucket 'k9-deploy-<account-id>-"
                                                       r"eu-west-1' --create-bucket-configuration "
                                                       r"LocationConstraint=eu-west-1 .*# only when missing"),
        ("build", r"^scripts/build\.sh$"),
        ("package", r"^scripts/package-lambda\.sh$"),
        ("upload", r"^aws cloudformation package --template-file infrastructure/template\.yaml --s3-bucket "
                   r"'k9-deploy-<account-id>-eu-west-1' --s3-prefix k9-qa --output-template-file "
                   r"dist/deployed/k9-qa-\d{8}T\d{6}Z\.yaml "),
        ("deploy", r"^aws cloudformation deploy --template-file dist/deployed/k9-qa-\d{8}T\d{6}Z\.yaml --stack-name "
                   r"k9-qa --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset .*--parameter-overrides "
                   r"Environment=qa UserPoolId=eu-west-1_AbC123 UserPoolClientId=client123 BucketName=k9-qa-files "
                   r"Architecture=arm64 "),
        ("the API url", r"^aws cloudformation describe-stacks --stack-name k9-qa --query "
                        r"\"Stacks\[0\]\.Outputs\[\?OutputKey=='ApiUrl'\]\.OutputValue\""),
    ]
    at = [index(p) for _, p in steps]
    for (name, pattern), i in zip(steps, at):
        check(f"dry run prints: {name}", i >= 0, f"no line matches {pattern}:\n" + "\n".join(lines))
    check("dry run: the steps come in order", all(a < b for a, b in zip(at, at[1:])), str(at))
    tables = [l for l in lines if l.startswith("aws dynamodb describe-table")]
    check("dry run: all 7 tables are checked before a first deploy", len(tables) == 7, "\n".join(tables))
    check("dry run: sam is not used", not any(l.startswith("sam ") for l in lines), out)

    # Without --client-id, the pool's only app client is looked up.
    r = deploy(*ARGS, "--dry-run")
    lines = plus_lines(r.stdout)
    check("dry run without --client-id lists the pool's app clients",
          r.returncode == 0 and any(l.startswith("aws cognito-idp list-user-pool-clients --user-pool-id eu-west-1_AbC123")
                                    for l in lines) and any("'UserPoolClientId=<client-id>'" in l for l in lines),
          r.stdout + r.stderr)
    check("dry run without --profile passes none", not any("--profile" in l for l in lines), r.stdout)
    check("dry run: the stack name defaults to k9-<environment>", any("--stack-name k9-qa" in l for l in lines), r.stdout)

    # The dry run needs no tool: it runs nothing, not even the AWS checks.
    with tempfile.TemporaryDirectory() as empty:
        r = deploy(*ARGS, "--dry-run", path=restricted_path(empty))
        check("dry run needs no aws and no zip", r.returncode == 0 and plus_lines(r.stdout), r.stdout + r.stderr)


def test_argument_errors():
    cases = [
        ("missing --bucket-name", ARGS[:4], r"missing --bucket-name"),
        ("missing everything", [], r"missing --environment --user-pool-id --bucket-name"),
        ("a flag without its value", ARGS + ["--client-id"], r"--client-id needs a value"),
        ("an unknown option", ARGS + ["--colour", "red"], r"unknown option --colour"),
        ("a bad environment", ["--environment", "Prod!", *ARGS[2:]], r"--environment 'Prod!'"),
        ("a bad pool id", [*ARGS[:2], "--user-pool-id", "pool", *ARGS[4:]], r"not a Cognito user pool id"),
        ("a bad bucket name", [*ARGS[:4], "--bucket-name", "My_Bucket"], r"not a valid S3 bucket name"),
        ("a region other than the pool's", ARGS + ["--region", "us-east-1"], r"user pool eu-west-1_AbC123 is in eu-west-1"),
        ("a bad architecture", ARGS + ["--architecture", "sparc"], r"x86_64 or arm64"),
        ("a missing packaged template", ARGS + ["--redeploy", "/nonexistent.yaml"], r"no such file"),
    ]
    for name, args, message in cases:
        for dry in ([], ["--dry-run"]):
            r = deploy(*args, *dry)
            check(f"{name}{' (dry run)' if dry else ''}: exit {EXIT_USAGE}, '{message}'",
                  r.returncode == EXIT_USAGE and re.search(message, r.stderr) and not plus_lines(r.stdout)
                  and "--help" in r.stderr, f"exit {r.returncode}\nstdout: {r.stdout}\nstderr: {r.stderr}")


def restricted_path(folder, extra=()):
    """A PATH of one folder holding bash and coreutils (symlinks), plus `extra` files."""
    for tool in ["bash", "cat", "date", "dirname", "basename", "env", "mkdir", "mktemp", "rm", "uname", "ls", "tr",
                 "head", "tail", "sort", "cut", "wc", "sleep", "tee", "touch", "cp", "mv", "ln", "readlink", "realpath",
                 "id", "printf", "echo", "test", "true", "false"]:
        found = shutil.which(tool)
        if found and not os.path.exists(os.path.join(folder, tool)):
            os.symlink(found, os.path.join(folder, tool))
    for name, target in extra:
        os.symlink(target, os.path.join(folder, name))
    return folder


def test_missing_tools():
    with tempfile.TemporaryDirectory() as d:
        r = deploy(*ARGS, path=restricted_path(d))
        check(f"no aws and no zip: exit {EXIT_TOOL}, both named",
              r.returncode == EXIT_TOOL and re.search(r"missing tool\(s\): aws zip", r.stderr) and not plus_lines(r.stdout),
              f"exit {r.returncode}\n{r.stdout}{r.stderr}")
    with tempfile.TemporaryDirectory() as d:
        fake = write_fake_aws(d)
        r = deploy(*ARGS, path=restricted_path(os.path.join(d, "bin"), [("aws", fake)]))
        check(f"no zip: exit {EXIT_TOOL}, zip named",
              r.returncode == EXIT_TOOL and re.search(r"missing tool\(s\): zip\b", r.stderr) and "aws" not in
              r.stderr.split("missing tool(s):")[1].split("(")[0], f"exit {r.returncode}\n{r.stdout}{r.stderr}")
        check("a missing tool stops it before any AWS call", not os.path.exists(os.path.join(d, "calls.jsonl")),
              "the fake aws was called")


FAKE_AWS = r'''#!PYTHON
"""A fake awscli: answers from STATE (JSON), records each call in CALLS (one JSON list a line)."""
import json, os, sys
state_path, calls_path = os.environ["FAKE_AWS_STATE"], os.environ["FAKE_AWS_CALLS"]
args = sys.argv[1:]
with open(calls_path, "a") as f:
    f.write(json.dumps(args) + "\n")
state = json.load(open(state_path))
def opt(name):
    return args[args.index(name) + 1] if name in args else None
def save():
    json.dump(state, open(state_path, "w"))
def fail(code, message):
    sys.stderr.write("\nAn error occurred (%s) when calling the operation: %s\n" % (code, message))
    sys.exit(254)
cmd = " ".join(args[:2])
if cmd == "sts get-caller-identity":
    print("111122223333")
elif cmd == "cognito-idp list-user-pool-clients":
    print("\t".join(state["clients"]))
elif cmd == "cognito-idp describe-user-pool-client":
    if opt("--client-id") not in state["clients"]:
        fail("ResourceNotFoundException", "User pool client does not exist.")
    print("None")
elif cmd == "cloudformation describe-stacks":
    if not state.get("stack"):
        fail("ValidationError", "Stack with id %s does not exist" % opt("--stack-name"))
    print(state["stack"] if "StackStatus" in opt("--query") else "https://abc123.execute-api.eu-west-1.amazonaws.com/qa")
elif cmd == "s3api head-bucket":
    if opt("--bucket") not in state["buckets"]:
        fail("404", "Not Found")
elif cmd == "s3api create-bucket":
    state["buckets"].append(opt("--bucket")); save()
    print(json.dumps({"Location": "/" + opt("--bucket")}))
elif cmd == "s3api put-public-access-block":
    pass
elif cmd == "dynamodb describe-table":
    if opt("--table-name") not in state["tables"]:
        fail("ResourceNotFoundException", "Requested resource not found: Table: %s not found" % opt("--table-name"))
    print("ACTIVE")
elif cmd == "cloudformation deploy":
    state["stack"] = "UPDATE_COMPLETE" if state.get("stack") else "CREATE_COMPLETE"; save()
    print("Successfully created/updated stack - " + opt("--stack-name"))
else:
    fail("Fake", "unexpected call: " + " ".join(args))
'''


def write_fake_aws(folder, clients=("client123",), stack=None, buckets=(), tables=()):
    os.makedirs(os.path.join(folder, "bin"), exist_ok=True)
    fake = os.path.join(folder, "fake-aws")
    with open(fake, "w") as f:
        f.write(FAKE_AWS.replace("PYTHON", sys.executable, 1))
    os.chmod(fake, os.stat(fake).st_mode | stat.S_IXUSR)
    with open(os.path.join(folder, "state.json"), "w") as f:
        json.dump({"clients": list(clients), "stack": stack, "buckets": list(buckets), "tables": list(tables)}, f)
    return fake


def fake_env(folder):
    bindir = os.path.join(folder, "bin")
    os.makedirs(bindir, exist_ok=True)
    if not os.path.exists(os.path.join(bindir, "aws")):
        os.symlink(os.path.join(folder, "fake-aws"), os.path.join(bindir, "aws"))
    if not os.path.exists(os.path.join(bindir, "zip")):
        os.symlink("/bin/true", os.path.join(bindir, "zip"))  # present; --redeploy packages nothing
    return dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"],
                FAKE_AWS_STATE=os.path.join(folder, "state.json"), FAKE_AWS_CALLS=os.path.join(folder, "calls.jsonl"))


def calls(folder, since=0):
    path = os.path.join(folder, "calls.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(l) for l in f.read().splitlines()[since:]]


def test_against_fake_aws():
    with tempfile.TemporaryDirectory() as d:
        write_fake_aws(d)
        env = fake_env(d)
        packaged = os.path.join(d, "packaged.yaml")
        with open(packaged, "w") as f:
            f.write("Resources: {}\n")
        r = deploy(*ARGS, "--redeploy", packaged, env=env)
        first = calls(d)
        ops = [" ".join(c[:2]) for c in first]
        check("first deploy (fake aws) exits 0 and prints the API url",
              r.returncode == 0 and "https://abc123.execute-api.eu-west-1.amazonaws.com/qa" in r.stdout,
              f"exit {r.returncode}\n{r.stdout}{r.stderr}")
        check("first deploy: the only app client is used",
              any(c[:2] == ["cloudformation", "deploy"] and "UserPoolClientId=client123" in c for c in first), first)
        check("first deploy: bucket and 7 tables checked", ops.count("dynamodb describe-table") == 7 and
              ["s3api", "head-bucket", "--bucket", "k9-qa-files"] == first[ops.index("s3api head-bucket")][:4], ops)
        check("first deploy: the artifacts bucket is created once, private",
              ops.count("s3api create-bucket") == 1 and "s3api put-public-access-block" in ops and
              "k9-deploy-111122223333-eu-west-1" in first[ops.index("s3api create-bucket")], ops)
        deploy_call = first[ops.index("cloudformation deploy")]
        check("first deploy: cloudformation deploy with CAPABILITY_IAM, no failure on an empty change set",
              "CAPABILITY_IAM" in deploy_call and "--no-fail-on-empty-changeset" in deploy_call and
              deploy_call[deploy_call.index("--template-file") + 1] == packaged, deploy_call)
        check("first deploy: nothing is built or packaged with --redeploy", "cloudformation package" not in ops, ops)

        # Again: the stack exists now, so no table or bucket checks, and nothing is created.
        n = len(first)
        r = deploy(*ARGS, "--redeploy", packaged, env=env)
        again = [" ".join(c[:2]) for c in calls(d, n)]
        check("second deploy exits 0", r.returncode == 0, r.stdout + r.stderr)
        check("second deploy creates nothing", "s3api create-bucket" not in again and
              "dynamodb describe-table" not in again and again.count("cloudformation deploy") == 1, again)

    with tempfile.TemporaryDirectory() as d:
        write_fake_aws(d, tables=["k9-jobs-qa"])
        r = deploy(*ARGS, "--redeploy", __file__, env=fake_env(d))
        check(f"a table left from earlier stops a first deploy: exit {EXIT_CONFLICT}",
              r.returncode == EXIT_CONFLICT and "k9-jobs-qa exists already" in r.stderr and
              not any(c[:2] == ["cloudformation", "deploy"] for c in calls(d)), r.stdout + r.stderr)
    with tempfile.TemporaryDirectory() as d:
        write_fake_aws(d, buckets=["k9-qa-files"])
        r = deploy(*ARGS, "--redeploy", __file__, env=fake_env(d))
        check(f"an existing bucket stops a first deploy: exit {EXIT_CONFLICT}",
              r.returncode == EXIT_CONFLICT and "bucket k9-qa-files exists already" in r.stderr, r.stdout + r.stderr)
    with tempfile.TemporaryDirectory() as d:
        write_fake_aws(d, stack="ROLLBACK_COMPLETE")
        r = deploy(*ARGS, "--redeploy", __file__, env=fake_env(d))
        check(f"a rolled-back stack: exit {EXIT_CONFLICT}, says to delete it",
              r.returncode == EXIT_CONFLICT and "delete-stack" in r.stderr, r.stdout + r.stderr)
    with tempfile.TemporaryDirectory() as d:
        write_fake_aws(d, clients=["c1", "c2"])
        r = deploy(*ARGS, "--redeploy", __file__, env=fake_env(d))
        check(f"several app clients and no --client-id: exit {EXIT_USAGE}",
              r.returncode == EXIT_USAGE and "pass --client-id" in r.stderr, r.stdout + r.stderr)
    with tempfile.TemporaryDirectory() as d:
        write_fake_aws(d)
        r = deploy(*ARGS, "--client-id", "nosuchclient", "--redeploy", __file__, env=fake_env(d))
        check(f"an unknown app client: exit {EXIT_AWS}",
              r.returncode == EXIT_AWS and "nosuchclient" in r.stderr, r.stdout + r.stderr)


def test_package_with_awscli():
    """deploy.sh's upload step, `aws cloudformation package`, on the real template with the real
    awscli, against s3rver: the package is uploaded once, named by its content, and the
    packaged template names it."""
    import zipfile
    import urllib.request
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from s3rver import BUCKET, S3rver
    if not shutil.which("aws"):
        check("awscli is installed (scripts/install-deps.sh: awscli)", False)
        return
    # Only an awscli that reads AWS_ENDPOINT_URL_S3 (v1.29+, v2.13+, from 2023) can be pointed
    # at s3rver: `cloudformation package` ignores --endpoint-url for its uploads. Debian 12's
    # is 2.9; the first one on PATH that can, or none.
    AWS = None
    for candidate in dict.fromkeys(filter(None, [shutil.which("aws"), "/usr/local/bin/aws", "/usr/bin/aws"])):
        if not os.access(candidate, os.X_OK):
            continue
        v = subprocess.run([candidate, "--version"], capture_output=True, text=True).stdout
        m = re.match(r"aws-cli/(\d+)\.(\d+)", v)
        if m and (int(m.group(1)), int(m.group(2))) >= ((1, 29) if m.group(1) == "1" else (2, 13)):
            AWS = candidate
            break
    if AWS is None:
        print("     note: aws cloudformation package not run: no awscli here reads AWS_ENDPOINT_URL_S3")
        return
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "infrastructure"))
        os.makedirs(os.path.join(d, "dist"))
        shutil.copy(os.path.join(ROOT, "infrastructure", "template.yaml"), os.path.join(d, "infrastructure"))
        with zipfile.ZipFile(os.path.join(d, "dist", "k9-lambda.zip"), "w") as z:
            z.writestr("bootstrap", "#!/bin/sh\nexec ./k9 lambda\n")
        s3 = S3rver()
        try:
            env = dict(os.environ, AWS_ACCESS_KEY_ID="S3RVER", AWS_SECRET_ACCESS_KEY="S3RVER", AWS_CONFIG_FILE="/dev/null",
                       AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_ENDPOINT_URL_S3=s3.endpoint)
            env.pop("AWS_SESSION_TOKEN", None)
            env.pop("AWS_PROFILE", None)
            cmd = [AWS, "cloudformation", "package", "--template-file", "infrastructure/template.yaml",
                   "--s3-bucket", BUCKET, "--s3-prefix", "k9-qa", "--output-template-file", "packaged.yaml",
                   "--region", "us-east-1"]
            r = subprocess.run(cmd, cwd=d, env=env, capture_output=True, text=True, timeout=60)
            uploaded = "Uploading" in r.stdout + r.stderr
            check(f"aws cloudformation package ({AWS}) takes the template", r.returncode == 0, r.stdout + r.stderr)
            if r.returncode != 0:
                return
            with open(os.path.join(d, "packaged.yaml")) as f:
                packaged = f.read()
            m = re.search(r"CodeUri: s3://" + BUCKET + r"/k9-qa/([0-9a-f]{32})\s", packaged)
            check("the packaged template names the uploaded package by its content hash", m, packaged[:3000])
            if m:
                with urllib.request.urlopen(f"{s3.endpoint}/{BUCKET}/k9-qa/{m.group(1)}", timeout=10) as resp:
                    check("the package is in the bucket", resp.read()[:2] == b"PK")
            check("the packaged template keeps the rest", "Transform: AWS::Serverless-2016-10-31" in packaged and
                  "k9-users-${Environment}" in packaged, packaged[:500])
            r = subprocess.run(cmd, cwd=d, env=env, capture_output=True, text=True, timeout=60)
            check("packaging again uploads nothing (the same content is there)", r.returncode == 0 and uploaded and
                  "Uploading" not in r.stdout + r.stderr, r.stdout + r.stderr)
        finally:
            s3.stop()


def main():
    start = time.time()
    if not os.access(DEPLOY, os.X_OK):
        print(f"FAIL {DEPLOY} is missing or not executable")
        return 1
    test_help()
    test_dry_run()
    test_argument_errors()
    test_missing_tools()
    test_against_fake_aws()
    test_package_with_awscli()
    return check.summary(time.time() - start)


if __name__ == "__main__":
    sys.exit(main())
