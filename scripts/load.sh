#!/usr/bin/env bash
# A bounded load run against the local server: first on the memory store, then on DynamoDB
# (moto, started here on a free loopback port). Prints requests, errors and latency percentiles
# per endpoint; exits non-zero if any request failed.
#
# Usage: bash scripts/load.sh [SECONDS] [CLIENTS] [SCENARIO]   (defaults: 10, 16, mixed;
#        SCENARIO is mixed (9 whoami : 1 login), whoami or login)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-10}
clients=${2:-16}
scenario=${3:-mixed}
venv=.venv
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "==> building release binaries (authtoken, load)"
cargo build --release --locked -p authtoken-cli -p testkit --bin authtoken --bin load
bin=target/release

users=()
for i in $(seq 1 "$clients"); do users+=(--user "load-$i:load password"); done

# Starts `authtoken serve` with the load users and prints the address it listens on.
start_server() {
  local log="$work/serve-$1.log"
  shift
  "$bin/authtoken" serve --addr 127.0.0.1:0 "${users[@]}" "$@" 2>"$log" &
  pids+=($!)
  for _ in $(seq 1 300); do
    if grep -q 'listening on http://' "$log"; then
      sed -n 's/.*listening on http:\/\/\([^ ]*\).*/\1/p' "$log"
      return 0
    fi
    sleep 0.1
  done
  echo "the server did not start; its log:" >&2
  cat "$log" >&2
  return 1
}

echo "==> memory store"
addr=$(start_server memory)
"$bin/load" "$addr" "$clients" "$seconds" "$scenario"

echo "==> DynamoDB store (moto)"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r scripts/requirements-test.txt
port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$venv/bin/python" scripts/dynamodb_local.py "$port" >"$work/moto.log" 2>&1 &
pids+=($!)
export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$port" AWS_REGION=us-east-1 \
       AWS_ACCESS_KEY_ID=load AWS_SECRET_ACCESS_KEY=load USERS_TABLE=load-users TOKENS_TABLE=load-tokens
for _ in $(seq 1 150); do
  "$bin/authtoken" tables create >/dev/null 2>&1 && break
  sleep 0.2
done
addr=$(start_server dynamodb --dynamodb)
"$bin/load" "$addr" "$clients" "$seconds" "$scenario"
