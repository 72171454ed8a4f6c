#!/usr/bin/env bash
# The local SAM workflow of docs/LOCAL.md, checked end to end on the arm64 functions `sam build`
# made: every event of events/ through `sam local invoke`, each answer checked against what the
# events tests expect of it (testkit's `check-event`), then `sam local start-api` with the
# README's flow, logout-all and the authorizer's route (testkit's `check-api`, which runs the
# tests' own cases over HTTP). Prints a table and exits non-zero on any difference.
#
# On a Debian machine, as root, it installs what it needs and is missing (docker.io,
# qemu-user-static, binfmt-support), starts a Docker daemon only if none answers, registers
# qemu for arm64, builds a stand-in for Lambda's base image if the registry's is absent
# (scripts/lambda_base_image.py; no registry is needed), reuses the `sam build` output of
# scripts/package.sh when it is there (and runs it otherwise), and starts the
# DynamoDB-compatible server on Docker's bridge, where the containers reach it. Each function
# gets fresh tables with the events' user and key, as the events tests give it; the API gets
# tables of its own with the tests' users. Everything it started is stopped at exit: processes
# by id, and the containers that were not there before it.
#
# Usage: bash scripts/sam-local.sh [all|invoke|start-api]   (all: both parts, the default)
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C
# shellcheck source=scripts/venv.sh
source scripts/venv.sh

export SAM_CLI_TELEMETRY=0 AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
events_key=9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b
events_password='correct horse battery staple'
image=public.ecr.aws/lambda/provided:al2023-arm64
# Every log of the run (SAM's, each invocation's, the daemon's, moto's), kept for a look after.
work=target/sam-local
rm -rf "$work"
mkdir -p "$work"
started=()
containers_before=
cleanup() {
  # The containers SAM left behind (a function cut short by a timeout), by id, while the
  # daemon is up.
  if [ -n "$containers_before" ]; then
    for id in $(docker ps -aq --no-trunc 2>/dev/null); do
      grep -qx "$id" <<<"$containers_before" || docker rm -f "$id" >/dev/null 2>&1 || true
    done
  fi
  # The invocations still running, then the processes in the reverse order of their start:
  # SAM before the daemon.
  for pid in $(jobs -p); do kill "$pid" 2>/dev/null || true; done
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do kill "${started[i]}" 2>/dev/null || true; done
  for pid in "${started[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

step() { printf '\n==> %s\n' "$*"; }

step "Docker, qemu for arm64, and the SAM CLI"
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v qemu-aarch64-static >/dev/null || missing+=(qemu-user-static)
command -v update-binfmts >/dev/null || missing+=(binfmt-support)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing: ${missing[*]} (apt-get install them as root)" >&2
    exit 1
  fi
  echo "apt-get install ${missing[*]}"
  # qemu-user-static replaces qemu-user-binfmt (which scripts/package.sh --verify's qemu-user
  # recommends): it registers qemu with the F flag, which containers need.
  { DEBIAN_FRONTEND=noninteractive timeout 600 apt-get update -q &&
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q "${missing[@]}"; } >"$work/apt.log" 2>&1 ||
    { tail -20 "$work/apt.log" >&2; exit 1; }
fi
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
update-binfmts --enable qemu-aarch64 2>/dev/null || true
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  echo "qemu-aarch64 is not registered with binfmt_misc: arm64 containers cannot run" >&2
  exit 1
fi
if ! docker info >/dev/null 2>&1; then
  # vfs: no overlay mounts inside this machine's own container. No userland proxy: a published
  # port then refuses connections until the function's runtime in the container listens, which
  # SAM waits for (20 s); through the proxy it accepts at once, and SAM's request to a runtime
  # still starting under qemu fails ("No response from invoke container", a 502).
  dockerd --storage-driver=vfs --userland-proxy=false >"$work/dockerd.log" 2>&1 &
  started+=($!)
  for _ in $(seq 1 120); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  if ! docker info >/dev/null 2>&1; then
    tail -20 "$work/dockerd.log" >&2
    echo "the Docker daemon did not start (its log: $work/dockerd.log)" >&2
    exit 1
  fi
fi
containers_before=$(docker ps -aq --no-trunc)
containers_before=${containers_before:-none}
# Where the containers reach this machine (172.17.0.1 unless the daemon was told otherwise).
bridge=$(docker network inspect bridge --format '{{(index .IPAM.Config 0).Gateway}}')
ensure_venv scripts/requirements-test.txt
if ! docker image inspect "$image" >/dev/null 2>&1; then
  python3 scripts/lambda_base_image.py --tag "$image"
fi
if [ ! -f .aws-sam/build/template.yaml ]; then
  bash scripts/package.sh
fi
cargo build --locked --quiet --bin authtoken --bin check-event --bin check-api

step "The DynamoDB-compatible server on Docker's bridge ($bridge)"
port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$venv/bin/python" scripts/dynamodb_local.py "$port" "$bridge" >"$work/moto.log" 2>&1 &
started+=($!)
for _ in $(seq 1 150); do
  "$venv/bin/python" -c "import socket; socket.create_connection(('$bridge', $port), timeout=1).close()" 2>/dev/null && break
  sleep 0.2
done
host_endpoint="http://$bridge:$port"
container_endpoint="http://host.docker.internal:$port"
export AWS_ENDPOINT_URL_DYNAMODB=$host_endpoint AWS_ENDPOINT_URL_SECRETS_MANAGER=$host_endpoint \
  TOKEN_SEAL_SECRET=authtoken-local-seal
queue_url=$("$venv/bin/python" - "$host_endpoint" <<'PY'
import sys
import boto3
sqs = boto3.client("sqs", endpoint_url=sys.argv[1], region_name="us-east-1")
print(sqs.create_queue(QueueName="authtoken-sam-local-mail")["QueueUrl"])
PY
)
ses_identity_ok=$("$venv/bin/python" - "$host_endpoint" <<'PY'
import sys
import boto3
boto3.client("sesv2", endpoint_url=sys.argv[1], region_name="us-east-1").create_email_identity(EmailIdentity="noreply@example.com")
print("ok")
PY
)
[ "$ses_identity_ok" = ok ]

# What the stack gives every function besides its table names, as the events tests do
# (testkit::events::function_env), with the endpoints as the containers reach them: prints the
# --env-vars file for the tables of `suffix` ($1) and the function $2.
env_vars() {
  "$venv/bin/python" - "$1" "$2" "$container_endpoint" "$queue_url" <<'PY'
import json, sys
suffix, function, endpoint, queue = sys.argv[1:]
settings = {
    "USERS_TABLE": f"users-{suffix}", "TOKENS_TABLE": f"tokens-{suffix}", "LOCKOUTS_TABLE": f"lockouts-{suffix}",
    "AWS_ENDPOINT_URL_DYNAMODB": endpoint, "AWS_ENDPOINT_URL_SECRETS_MANAGER": endpoint,
    "AWS_ENDPOINT_URL_SQS": endpoint, "AWS_ENDPOINT_URL_SESV2": endpoint,
    "TOKEN_SEAL_SECRET": "authtoken-local-seal", "REGISTRATION": "open",
    "EMAIL_FROM": "noreply@example.com", "DOMAIN": "app.example.com", "MAIL_QUEUE_URL": queue,
}
# The activation's functions are deployed only with SEND_ACTIVATION_EMAIL (testkit's deployed_settings).
if function in ("ActivationFunction", "ResendactivationFunction"):
    settings["SEND_ACTIVATION_EMAIL"] = "true"
print(json.dumps({"Parameters": settings}))
PY
}

# Runs a command with the table names of `suffix` ($1) in its environment (and `authtoken`'s
# audit lines left out: warnings and errors only).
with_tables() {
  RUST_LOG=warn USERS_TABLE="users-$1" TOKENS_TABLE="tokens-$1" LOCKOUTS_TABLE="lockouts-$1" "${@:2}"
}
# Makes empty tables under a new suffix, which it prints.
new_tables() {
  local suffix
  suffix="sam$(date +%s%N | tail -c 9)$RANDOM"
  with_tables "$suffix" target/debug/authtoken tables create >/dev/null
  echo "$suffix"
}

# The events of one function ($1), named by their stems (the rest), in order on tables of its
# own with the events' user: one table row per event into $work/rows/FUNCTION.
invoke_function() {
  local function=$1 suffix stem started_at seconds output got
  shift
  suffix=$(new_tables)
  env_vars "$suffix" "$function" >"$work/$function.env.json"
  printf '%s\n' "$events_password" |
    with_tables "$suffix" target/debug/authtoken user create admin --password-stdin >/dev/null
  for stem in "$@"; do
    # A logout before deletes the key: give it back, as the events tests do.
    with_tables "$suffix" target/debug/authtoken token create admin --key "$events_key" >/dev/null
    started_at=$(date +%s%N)
    output=$(timeout 120 "$venv/bin/sam" local invoke "$function" -t .aws-sam/build/template.yaml \
      -e "events/$stem.json" --env-vars "$work/$function.env.json" --skip-pull-image \
      --add-host host.docker.internal:host-gateway 2>"$work/$stem.log") || true
    seconds=$(( ($(date +%s%N) - started_at) / 1000000000 ))
    if got=$(printf '%s\n' "$output" | RUST_BACKTRACE=0 target/debug/check-event "$stem" 2>"$work/$stem.check"); then
      printf '%-44s %-26s %-10s %3s s  ok\n' "$stem" "$function" "$got" "$seconds"
    else
      printf '%-44s %-26s %-10s %3s s  DIFFERENT\n' "$stem" "$function" "-" "$seconds"
      { echo "--- $stem: $(tail -3 "$work/$stem.check")"
        tail -5 "$work/$stem.log"
        echo "--- the whole log: $work/$stem.log"; } >&2
    fi
  done >"$work/rows/$function"
}

# How many functions' events run at once. An invocation mostly waits (SAM's start, a container
# made on vfs, qemu): 44 one after the other took 8m49s here, at 15% of the CPU.
parallel=3
failures=0
run_invoke() {
  step "sam local invoke: every event of every function ($parallel functions at a time)"
  # Each function's events in the events tests' order (byte order of the stems: `me-token`
  # before `me-token-patch`), as they share its tables.
  local event stem function functions=() count=0 stems=()
  declare -A stems_of=()
  for event in events/*.json; do
    [ "$event" = events/env.json ] || stems+=("$(basename "$event" .json)")
  done
  mapfile -t stems < <(printf '%s\n' "${stems[@]}" | sort)
  for stem in "${stems[@]}"; do
    function="${stem%%-*}"
    function="${function^}Function"
    [ -n "${stems_of[$function]:-}" ] || functions+=("$function")
    stems_of[$function]+=" $stem"
    count=$((count + 1))
  done
  mkdir -p "$work/rows"
  local first=true running=() pid
  for function in "${functions[@]}"; do
    # shellcheck disable=SC2086 # the stems, one word each
    if $first; then
      # Alone: SAM builds its image for the functions' runtime at the first invocation.
      invoke_function "$function" ${stems_of[$function]}
      first=false
    else
      # A place among the $parallel (moto and the daemon are jobs too: counted by id).
      while [ "${#running[@]}" -ge "$parallel" ]; do
        wait -n "${running[@]}" || true
        local alive=()
        for pid in "${running[@]}"; do
          if kill -0 "$pid" 2>/dev/null; then alive+=("$pid"); fi
        done
        running=("${alive[@]}")
      done
      invoke_function "$function" ${stems_of[$function]} &
      running+=($!)
    fi
  done
  for pid in "${running[@]}"; do wait "$pid" || true; done
  for function in "${functions[@]}"; do
    if [ -f "$work/rows/$function" ]; then cat "$work/rows/$function"; fi
  done >"$work/invoked"
  mapfile -t invoked <"$work/invoked"
  failures=$((failures + count - $(grep -c ' ok$' "$work/invoked" || true)))
}

run_start_api() {
  step "sam local start-api: the README's flow, logout-all, the authorizer's route"
  local suffix
  suffix=$(new_tables)
  env_vars "$suffix" api >"$work/api.env.json"
  local api_port
  api_port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$venv/bin/sam" local start-api -t .aws-sam/build/template.yaml --env-vars "$work/api.env.json" \
    --skip-pull-image --add-host host.docker.internal:host-gateway \
    --host 127.0.0.1 --port "$api_port" >"$work/start-api.log" 2>&1 &
  started+=($!)
  local api_pid=$!
  # SAM mounts the routes in a few seconds; 120 s at most.
  for _ in $(seq 1 240); do
    kill -0 "$api_pid" 2>/dev/null || break
    "$venv/bin/python" -c "import socket; socket.create_connection(('127.0.0.1', $api_port), timeout=1).close()" 2>/dev/null && break
    sleep 0.5
  done
  local started_at
  started_at=$(date +%s)
  if RUST_BACKTRACE=0 with_tables "$suffix" target/debug/check-api "127.0.0.1:$api_port" >"$work/check-api.out" \
    2>"$work/check-api.err"; then
    :
  else
    failures=$((failures + 1))
    cat "$work/check-api.err" >&2
    echo "--- sam local start-api's log: $work/start-api.log" >&2
  fi
  api_seconds=$(( $(date +%s) - started_at ))
  kill "$api_pid" 2>/dev/null || true
  wait "$api_pid" 2>/dev/null || true
}

invoked=()
api_seconds=
case "${1:-all}" in
  all) run_invoke; run_start_api ;;
  invoke) run_invoke ;;
  start-api) run_start_api ;;
  *) echo "usage: bash scripts/sam-local.sh [all|invoke|start-api]" >&2; exit 2 ;;
esac

if [ "${#invoked[@]}" -gt 0 ]; then
  step "sam local invoke: ${#invoked[@]} events"
  printf '%-44s %-26s %-10s %5s  %s\n' EVENT FUNCTION ANSWER TIME RESULT
  printf '%s\n' "${invoked[@]}"
fi
if [ -n "$api_seconds" ]; then
  step "sam local start-api: the tests' cases over HTTP (${api_seconds} s)"
  printf '%-24s %8s  %s\n' CASE TIME RESULT
  cat "$work/check-api.out"
fi
if [ "$failures" -gt 0 ]; then
  echo "$failures differences from what the tests expect (above; the logs in $work/)" >&2
  exit 1
fi
echo "every answer as the tests expect"
