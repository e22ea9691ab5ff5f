#!/usr/bin/env bash
# Deploys K9 to AWS as a Lambda function behind API Gateway (infrastructure/template.yaml):
# builds, packages (dist/k9-lambda.zip), uploads and deploys with awscli's `cloudformation
# package` and `cloudformation deploy`, then prints the API url. Idempotent: run it again to
# update; nothing is created twice. The first deployment, step by step: docs/DEPLOY.md.
#
#   scripts/deploy.sh --environment dev --user-pool-id eu-west-1_AbC123 --bucket-name my-k9-dev
#
# Exit codes: 0 deployed (or dry run printed); 2 a missing or invalid argument; 3 a missing
# tool; 4 AWS refused (credentials, the user pool or its app client); 5 something in AWS is in
# the way (a stack mid-update or rolled back, a bucket or table outside the stack); any other
# code is the failing step's own (build, package, CloudFormation).
set -euo pipefail

readonly EXIT_USAGE=2 EXIT_TOOL=3 EXIT_AWS=4 EXIT_CONFLICT=5
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The tables the template makes (k9-<table>-<environment>), checked before a first deploy.
readonly TABLES=(users reports products embeddings identities refresh-tokens jobs)

usage() {
  cat <<'USAGE'
Usage: scripts/deploy.sh --environment NAME --user-pool-id POOL_ID --bucket-name BUCKET [options]

Builds K9, packages it for Lambda (provided.al2023), uploads the package and deploys
infrastructure/template.yaml with CloudFormation, then prints the API url. Running it again
updates the stack in place; nothing is created twice.

Required:
  --environment NAME        deployment name: tables k9-<table>-NAME, function k9-NAME,
                            API stage NAME (lowercase letters, digits, hyphens; 1-20)
  --user-pool-id POOL_ID    the Cognito user pool whose users sign in (e.g. eu-west-1_AbC123)
  --bucket-name BUCKET      the S3 bucket the stack creates for K9's files

Options:
  --client-id ID            the pool's app client (no secret); default: the pool's only client
  --region REGION           the user pool's region (the default; the stack must be there too)
  --profile PROFILE         the awscli profile to use (default: awscli's usual chain)
  --stack-name NAME         default: k9-<environment>
  --architecture ARCH       x86_64 or arm64; default: this machine's (the package is built here)
  --cors-origin ORIGIN      Access-Control-Allow-Origin (the template's default: *)
  --artifacts-bucket NAME   where packages are uploaded; default k9-deploy-<account>-<region>,
                            created (private) when missing
  --redeploy PACKAGED       skip build and package: deploy a packaged template kept from an
                            earlier run (dist/deployed/*.yaml), e.g. to roll back
  --dry-run                 print every command it would run, one per line prefixed with
                            "+ ", and run none (arguments are still checked)
  -h, --help                this text

Needs: aws (awscli v1 or v2), zip; the build's own tools (scripts/build.sh). Not sam.
Exit codes: 2 argument, 3 missing tool, 4 AWS refused, 5 something in the way, else the
failing step's own.
USAGE
}

die() {  # die CODE MESSAGE...
  local code=$1
  shift
  echo "deploy.sh: $*" >&2
  exit "$code"
}

usage_error() {
  echo "deploy.sh: $*" >&2
  echo "Run scripts/deploy.sh --help for usage." >&2
  exit "$EXIT_USAGE"
}

# ---- arguments --------------------------------------------------------------------------
environment="" pool_id="" bucket="" client_id="" region="" profile="" stack="" arch=""
cors_origin="" artifacts="" redeploy="" dry_run=0

while (($#)); do
  opt=$1
  case "$opt" in
    -h | --help)
      usage
      exit 0
      ;;
    --dry-run)
      dry_run=1
      shift
      continue
      ;;
    --*=*)
      value=${opt#*=}
      opt=${opt%%=*}
      shift
      ;;
    --*)
      if (($# < 2)) || [[ $2 == --* ]]; then usage_error "$opt needs a value"; fi
      value=$2
      shift 2
      ;;
    *) usage_error "unexpected argument '$opt'" ;;
  esac
  case "$opt" in
    --environment) environment=$value ;;
    --user-pool-id) pool_id=$value ;;
    --bucket-name) bucket=$value ;;
    --client-id) client_id=$value ;;
    --region) region=$value ;;
    --profile) profile=$value ;;
    --stack-name) stack=$value ;;
    --architecture) arch=$value ;;
    --cors-origin) cors_origin=$value ;;
    --artifacts-bucket) artifacts=$value ;;
    --redeploy) redeploy=$value ;;
    *) usage_error "unknown option $opt" ;;
  esac
  [[ -n $value ]] || usage_error "$opt needs a value"
done

missing=()
[[ -n $environment ]] || missing+=(--environment)
[[ -n $pool_id ]] || missing+=(--user-pool-id)
[[ -n $bucket ]] || missing+=(--bucket-name)
((${#missing[@]} == 0)) || usage_error "missing ${missing[*]}"

[[ $environment =~ ^[a-z0-9][a-z0-9-]{0,19}$ ]] ||
  usage_error "--environment '$environment': use 1-20 lowercase letters, digits or hyphens"
[[ $pool_id =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+_[0-9A-Za-z]+$ ]] ||
  usage_error "--user-pool-id '$pool_id' is not a Cognito user pool id (REGION_ID, e.g. eu-west-1_AbC123)"
[[ $bucket =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ && $bucket != *..* ]] ||
  usage_error "--bucket-name '$bucket' is not a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)"
[[ -z $client_id || $client_id =~ ^[0-9A-Za-z]+$ ]] ||
  usage_error "--client-id '$client_id' is not a Cognito app client id"
[[ -z $artifacts || $artifacts =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] ||
  usage_error "--artifacts-bucket '$artifacts' is not a valid S3 bucket name"
[[ -z $cors_origin || $cors_origin != *\'* ]] || usage_error "--cors-origin must not contain a quote"

# The stack lives in its user pool's region: the authorizer and K9 name the pool there.
region=${region:-${pool_id%%_*}}
[[ $region =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] || usage_error "--region '$region' is not an AWS region"
[[ $region == "${pool_id%%_*}" ]] ||
  usage_error "--region $region: user pool $pool_id is in ${pool_id%%_*}; deploy in the pool's region"
stack=${stack:-k9-$environment}
[[ $stack =~ ^[A-Za-z][A-Za-z0-9-]{0,127}$ ]] || usage_error "--stack-name '$stack' is not a valid stack name"
if [[ -z $arch ]]; then
  case "$(uname -m)" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) usage_error "this machine ($(uname -m)) builds for no Lambda architecture; pass --architecture" ;;
  esac
fi
[[ $arch == x86_64 || $arch == arm64 ]] || usage_error "--architecture '$arch': x86_64 or arm64"
if [[ -n $redeploy ]]; then
  [[ -f $redeploy ]] || usage_error "--redeploy $redeploy: no such file"
  redeploy="$(cd "$(dirname "$redeploy")" && pwd)/$(basename "$redeploy")"
fi

cd "$root"  # every path below is relative to the repository

# ---- running, or printing in a dry run ----------------------------------------------------
exec 3>&1  # the listing of commands goes to stdout (fd 3), whatever a caller redirects

quote() {  # a word as the shell reads it back
  if [[ $1 =~ ^[A-Za-z0-9_@%+=:,./-]+$ ]]; then
    printf '%s' "$1"
  elif [[ $1 == *\'* && $1 != *[\$\`\"\\!]* ]]; then
    printf '"%s"' "$1"
  else
    printf "'%s'" "${1//\'/\'\\\'\'}"
  fi
}

show() {  # show [--note NOTE] COMMAND...: one "+ " line
  local note=""
  if [[ $1 == --note ]]; then
    note=$2
    shift 2
  fi
  local line="+" word
  for word in "$@"; do line+=" $(quote "$word")"; done
  [[ -z $note ]] || line+="  # $note"
  printf '%s\n' "$line" >&3
}

run() {  # run [--note NOTE] COMMAND...: runs it (its output shown), or prints it in a dry run
  if ((dry_run)); then
    show "$@"
    return 0
  fi
  [[ $1 != --note ]] || shift 2
  show "$@"
  "$@"
}

aws_cli() {  # the aws command line with this deployment's region and profile
  local args=(aws "$@" --region "$region")
  [[ -z $profile ]] || args+=(--profile "$profile")
  printf '%s\0' "${args[@]}"
}

# AWS calls whose answer is read: in a dry run, printed, and PLACEHOLDER stands for the answer.
#   ask VAR PLACEHOLDER [--note NOTE] AWS-ARGS...
# sets VAR to the answer (stdout) and ask_error to the call's stderr; returns the call's status.
# (No $(...) around it: the variables must land in this shell, not in a subshell.)
ask_error=""
account="" clients="" secret="" status="" state="" url=""  # set by ask (and bucket_state)
ask() {
  # Locals are prefixed: VAR names a variable of the caller's (status, state, ...).
  local _var=$1 _placeholder=$2 _note=() _cmd=() _word _err _status=0 _out
  shift 2
  if [[ $1 == --note ]]; then
    _note=(--note "$2")
    shift 2
  fi
  while IFS= read -r -d '' _word; do _cmd+=("$_word"); done < <(aws_cli "$@")
  ask_error=""
  if ((dry_run)); then
    show "${_note[@]}" "${_cmd[@]}"
    printf -v "$_var" '%s' "$_placeholder"
    return 0
  fi
  _err=$(mktemp)
  _out=$("${_cmd[@]}" 2>"$_err") || _status=$?
  ask_error=$(<"$_err")
  rm -f "$_err"
  printf -v "$_var" '%s' "$_out"
  return "$_status"
}

aws_run() {  # aws_run [--note NOTE] AWS-ARGS...: an AWS step whose output is shown
  local note=()
  if [[ $1 == --note ]]; then
    note=(--note "$2")
    shift 2
  fi
  local cmd=() word
  while IFS= read -r -d '' word; do cmd+=("$word"); done < <(aws_cli "$@")
  run "${note[@]}" "${cmd[@]}"
}

bucket_state() {  # bucket_state NAME NOTE: sets state to "exists" (and ours), "missing", or why not
  # (a dry run: "missing", so the creation is listed)
  if ask _ '' --note "$2" s3api head-bucket --bucket "$1"; then
    if ((dry_run)); then state=missing; else state=exists; fi
  elif [[ $ask_error == *404* || $ask_error == *"Not Found"* ]]; then
    state=missing
  else
    state=${ask_error:-head-bucket failed}
  fi
}

# ---- tools --------------------------------------------------------------------------------
# A dry run needs none of them (it runs nothing); a real one checks them all first.
if ((!dry_run)); then
  tools_missing=()
  for tool in aws zip; do
    command -v "$tool" >/dev/null 2>&1 || tools_missing+=("$tool")
  done
  if ((${#tools_missing[@]})); then
    die "$EXIT_TOOL" "missing tool(s): ${tools_missing[*]} (Debian: apt-get install awscli zip; or AWS CLI v2 from" \
      "https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)"
  fi
  if [[ -z $redeploy && ! -x scripts/package-lambda.sh ]]; then
    die "$EXIT_TOOL" "scripts/package-lambda.sh is missing or not executable: it writes dist/k9-lambda.zip"
  fi
fi

# ---- AWS: who we are, the user pool, the stack ---------------------------------------------
echo "deploy.sh: stack $stack in $region, environment $environment, $arch" >&2

ask account '<account-id>' sts get-caller-identity --query Account --output text ||
  die "$EXIT_AWS" "no usable AWS credentials${profile:+ for profile $profile}: ${ask_error:-aws sts get-caller-identity failed}"

if [[ -z $client_id ]]; then
  ask clients '<client-id>' --note "the pool's only app client becomes --client-id" \
    cognito-idp list-user-pool-clients --user-pool-id "$pool_id" --query 'UserPoolClients[].ClientId' --output text ||
    die "$EXIT_AWS" "cannot list the app clients of user pool $pool_id: $ask_error"
  read -r -a client_list <<<"$clients"
  case ${#client_list[@]} in
    1) client_id=${client_list[0]} ;;
    0) die "$EXIT_AWS" "user pool $pool_id has no app client: create one (docs/DEPLOY.md) or pass --client-id" ;;
    *) die "$EXIT_USAGE" "user pool $pool_id has several app clients (${client_list[*]}): pass --client-id" ;;
  esac
fi
ask secret 'None' --note "must be None: K9 signs in through a client without a secret" \
  cognito-idp describe-user-pool-client --user-pool-id "$pool_id" --client-id "$client_id" \
  --query UserPoolClient.ClientSecret --output text ||
  die "$EXIT_AWS" "user pool $pool_id or its app client $client_id is not there: $ask_error"
[[ $secret == None || -z $secret ]] ||
  die "$EXIT_AWS" "app client $client_id has a client secret; create one without (--no-generate-secret, docs/DEPLOY.md)"

ask status 'NEW' --note "NEW when the stack does not exist yet" \
  cloudformation describe-stacks --stack-name "$stack" --query 'Stacks[0].StackStatus' --output text || {
  [[ $ask_error == *"does not exist"* ]] || die "$EXIT_AWS" "cannot read stack $stack: $ask_error"
  status=NEW
}
case "$status" in
  NEW | REVIEW_IN_PROGRESS)  # the latter: a first deploy whose change set was never run
    # A first deploy: the stack creates the bucket and tables by name, so none may exist yet
    # (retained from a deleted stack, or made by `k9 tables create`): docs/DEPLOY.md.
    bucket_state "$bucket" "first deploy: must answer 404"
    [[ $state == missing ]] ||
      die "$EXIT_CONFLICT" "bucket $bucket exists already (yours or another account's: $state): choose another" \
        "--bucket-name, or see docs/DEPLOY.md (moving from k9 serve) to bring an existing one in"
    for table in "${TABLES[@]}"; do
      name="k9-$table-$environment"
      if ask _ '' --note "first deploy: must not exist" dynamodb describe-table --table-name "$name" \
        --query Table.TableStatus --output text; then
        ((dry_run)) || die "$EXIT_CONFLICT" "table $name exists already outside stack $stack: see docs/DEPLOY.md" \
          "(moving from k9 serve) to import it, or choose another --environment"
      elif [[ $ask_error != *ResourceNotFound* ]]; then
        die "$EXIT_AWS" "cannot check table $name: $ask_error"
      fi
    done
    ;;
  *_IN_PROGRESS)
    die "$EXIT_CONFLICT" "stack $stack is busy ($status): wait, or cancel an update with" \
      "aws cloudformation cancel-update-stack --stack-name $stack"
    ;;
  UPDATE_ROLLBACK_FAILED)
    die "$EXIT_CONFLICT" "stack $stack is UPDATE_ROLLBACK_FAILED: finish the rollback first" \
      "(aws cloudformation continue-update-rollback --stack-name $stack; docs/DEPLOY.md)"
    ;;
  ROLLBACK_COMPLETE | ROLLBACK_FAILED | DELETE_FAILED)
    die "$EXIT_CONFLICT" "stack $stack is $status and cannot be updated: delete it" \
      "(aws cloudformation delete-stack --stack-name $stack; tables and bucket are retained) and deploy again"
    ;;
esac

# ---- the artifacts bucket ------------------------------------------------------------------
artifacts=${artifacts:-k9-deploy-$account-$region}
bucket_state "$artifacts" "the artifacts bucket: created below only when missing"
case "$state" in
  exists) ;;
  missing)
    if [[ $region == us-east-1 ]]; then
      aws_run --note "only when missing" s3api create-bucket --bucket "$artifacts"
    else
      aws_run --note "only when missing" s3api create-bucket --bucket "$artifacts" \
        --create-bucket-configuration "LocationConstraint=$region"
    fi
    aws_run --note "only when missing" s3api put-public-access-block --bucket "$artifacts" \
      --public-access-block-configuration \
      BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
    ;;
  *) die "$EXIT_CONFLICT" "artifacts bucket $artifacts is not yours or not reachable ($state): pass --artifacts-bucket" ;;
esac

# ---- build, package, upload, deploy ----------------------------------------------------------
stamp=$(date -u +%Y%m%dT%H%M%SZ)
packaged="dist/deployed/$stack-$stamp.yaml"
if [[ -n $redeploy ]]; then
  packaged=$redeploy
else
  run scripts/build.sh
  run scripts/package-lambda.sh
  run mkdir -p dist/deployed
  # Uploads dist/k9-lambda.zip (named by its content hash: an unchanged package is not sent
  # again) and writes the template that names it; kept to redeploy this very version later.
  aws_run cloudformation package --template-file infrastructure/template.yaml \
    --s3-bucket "$artifacts" --s3-prefix "$stack" --output-template-file "$packaged"
fi

overrides=("Environment=$environment" "UserPoolId=$pool_id" "UserPoolClientId=$client_id"
  "BucketName=$bucket" "Architecture=$arch")
[[ -z $cors_origin ]] || overrides+=("CorsOrigin=$cors_origin")
aws_run cloudformation deploy --template-file "$packaged" --stack-name "$stack" \
  --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset \
  --s3-bucket "$artifacts" --s3-prefix "$stack" \
  --tags "project=k9" "environment=$environment" \
  --parameter-overrides "${overrides[@]}"

ask url '<api-url>' cloudformation describe-stacks --stack-name "$stack" \
  --query "Stacks[0].Outputs[?OutputKey=='ApiUrl'].OutputValue" --output text ||
  die "$EXIT_AWS" "deployed, but the stack's outputs cannot be read: $ask_error"
if ((dry_run)); then
  echo "deploy.sh: dry run: nothing was run" >&2
else
  echo "K9 is deployed: $url"
  echo "  curl $url/healthz"
  echo "  packaged template kept for a redeploy (--redeploy): $packaged"
fi
