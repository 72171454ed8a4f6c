#!/usr/bin/env bash
# A bounded load run against the local server: first on the memory store, then on DynamoDB
# (moto, started here on a free loopback port). Prints requests, errors and latency percentiles
# per endpoint; exits non-zero if any request failed.
#
# Usage: bash scripts/load.sh [SECONDS] [CLIENTS] [SCENARIO]   (defaults: 10, 16, mixed;
#        SCENARIO is mixed (9 whoami : 1 login), whoami or login)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
trap cleanup EXIT

seconds=${1:-10}
clients=${2:-16}
scenario=${3:-mixed}
mapfile -t users < <(load_users "$clients")

echo "==> building release binaries (authtoken, load)"
cargo build --release --locked -p authtoken-cli -p testkit --bin authtoken --bin load

echo "==> memory store"
start_server memory "${users[@]}"
target/release/load "$server_addr" "$clients" "$seconds" "$scenario"

echo "==> DynamoDB store (moto)"
start_moto
export USERS_TABLE=load-users TOKENS_TABLE=load-tokens LOCKOUTS_TABLE=load-lockouts
target/release/authtoken tables create >/dev/null
start_server dynamodb --dynamodb "${users[@]}"
target/release/load "$server_addr" "$clients" "$seconds" "$scenario"
