"""Lambda cold start (issue 15; goal: under 1/20 of `python3 -c "import boto3"`), as medians of
many rounds, every command interleaved with the others in each round so a busy box weighs on
all of them alike.

For each K9 binary given (default: the build's), its Lambda package (scripts/package-lambda.sh,
unzipped) is timed three ways beside `python3 -c "import boto3"` and `/bin/true`:
  - help:    `bin/k9 --help` through the package's loader (exec, library loading, a page of text);
  - cold:    exec of `bootstrap` (only the variables given, as `env -i` leaves them; a new
             data folder: a new sandbox) under the Runtime API emulator
             (tests/lambda_emulator.py) to the answer of its first invocation,
             GET /healthz as a REST API event, against DynamoDB Local and s3rver. Identities
             as the stack has them (infrastructure/template.yaml: K9_AUTH=cognito), from
             cognito-local; `--auth local` gives K9's own, with the signing keys made once
             beforehand (as bench/lambda_rss.py), so no round pays for an RSA key.
Then each process is killed; one round runs every command once.

Usage: python3 bench/lambda_cold_start.py [--rounds 15] [--auth cognito|local] [LABEL=K9_BINARY ...]
       (needs scripts/install-deps.sh and a built build/; K9_BUILD_DIR picks another build)
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))
from dynamodb_local import DynamoDbLocal  # noqa: E402
from k9test import Server  # noqa: E402
from lambda_emulator import LambdaEmulator  # noqa: E402
from npm_peers import CognitoLocal, node, require_peer  # noqa: E402
from s3rver import S3rver  # noqa: E402
from test_lambda import answer, event_v1  # noqa: E402


def unpack(k9, work, label):
    """The package of `k9`, unzipped: (root, loader path)."""
    z = os.path.join(work, f"{label}.zip")
    subprocess.run([os.path.join(ROOT, "scripts", "package-lambda.sh"), k9, z], check=True, capture_output=True)
    root = os.path.join(work, label)
    subprocess.run(["unzip", "-q", z, "-d", root], check=True)
    loader = next(f for f in os.listdir(os.path.join(root, "lib")) if f.startswith("ld-linux"))
    return root, os.path.join(root, "lib", loader)


def timed(args):
    t0 = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main():
    build = os.environ.get("K9_BUILD_DIR", "build")
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--auth", choices=["cognito", "local"], default="cognito")
    ap.add_argument("binaries", nargs="*", help="LABEL=K9_BINARY (default: k9=<build>/k9)")
    args = ap.parse_args()
    binaries = [b.split("=", 1) for b in args.binaries] or [["k9", os.path.join(ROOT, build, "k9")]]
    work = tempfile.mkdtemp(prefix="k9-cold-")
    times = {}
    try:
        packages = {label: unpack(os.path.abspath(k9), work, label) for label, k9 in binaries}
        cognito = None
        with DynamoDbLocal() as ddb, S3rver() as s3:
            aws_env = dict(ddb.env(), **s3.env(), K9_STORE="dynamodb", ENVIRONMENT=f"cold{os.getpid()}")
            setup = Server(os.path.abspath(binaries[0][1]), env=aws_env)
            setup.run("tables", "create")
            setup.add_user("bench", "Bench-password-1")  # makes the signing keys
            if args.auth == "cognito":
                require_peer("cognito-local")
                cognito = CognitoLocal()
                ids = json.loads(node("cognito-pool.mjs", cognito.endpoint, json.dumps(
                    [{"username": "bench", "password": "Bench-password-1", "temporary": False, "name": "Bench"}])))
                aws_env.update(K9_AUTH="cognito", COGNITO_USER_POOL_ID=ids["poolId"], COGNITO_CLIENT_ID=ids["clientId"],
                               K9_COGNITO_ISSUER=f"{cognito.endpoint}/{ids['poolId']}",
                               AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=cognito.endpoint)
            emu = LambdaEmulator()
            try:
                for n in range(args.rounds):
                    for label, (root, loader) in packages.items():
                        cmd = [loader, "--library-path", os.path.join(root, "lib"), os.path.join(root, "bin", "k9")]
                        times.setdefault(f"{label} help", []).append(timed(cmd + ["--help"]))
                        data = os.path.join(work, f"data-{label}-{n}")
                        shutil.copytree(os.path.join(setup.data, "keys"), os.path.join(data, "keys"))
                        t0 = time.perf_counter()
                        # Exactly this environment, as `env -i` gives it (tests/test_lambda.py), without
                        # timing an exec of env before the one of bootstrap.
                        log = open(os.path.join(data, "lambda.log"), "ab")
                        proc = subprocess.Popen([os.path.join(root, "bootstrap")], cwd=root, stdout=log,
                                                stderr=subprocess.STDOUT,
                                                env=dict(aws_env, **emu.env("k9-cold"), K9_DATA=data))
                        status, _, _ = answer(emu.invoke(event_v1("GET", "/healthz")))
                        times.setdefault(f"{label} cold", []).append(time.perf_counter() - t0)
                        proc.kill()
                        proc.wait()
                        log.close()
                        if status != 200:
                            sys.exit(f"{label}: /healthz answered {status}")
                    times.setdefault("/bin/true", []).append(timed(["/bin/true"]))
                    times.setdefault("import boto3", []).append(timed(["python3", "-c", "import boto3"]))
            finally:
                emu.close()
                if cognito:
                    cognito.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    boto3 = statistics.median(times["import boto3"])
    load = os.getloadavg()[0]
    print(f"{args.rounds} rounds, {args.auth} identities, load {load:.1f}; medians (min), ratio to import boto3's median")
    for name, ts in times.items():
        m = statistics.median(ts)
        print(f"  {name:24} {m * 1000:7.1f} ms ({min(ts) * 1000:6.1f})  {m / boto3:.3f}")


if __name__ == "__main__":
    main()
