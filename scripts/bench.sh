#!/usr/bin/env bash
# The performance benchmark: builds the functions and an empty lambda_http handler with the
# release profile, then prints
#   1. per function: init, cold start, warm invocation, peak RSS and size, with ratios to the
#      empty handler (each binary under the Lambda Runtime API stand-in, against moto);
#   2. local server throughput on the memory store, for whoami and for login;
#   3. the login figure at the OWASP argon2 parameters (unknown user / inactive / wrong password).
#
# Usage: bash scripts/bench.sh   (COLD_RUNS, WARM_INVOKES, LOAD_SECONDS, LOAD_CLIENTS to change)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
trap cleanup EXIT

load_seconds=${LOAD_SECONDS:-5}
load_clients=${LOAD_CLIENTS:-16}
mapfile -t users < <(load_users "$load_clients")

echo "==> building release binaries (the first build takes minutes: LTO, one codegen unit)"
cargo build --release --locked -p login -p whoami -p logout -p logoutall -p authorizer -p example \
  -p testkit -p authtoken-cli --bin login --bin whoami --bin logout --bin logoutall \
  --bin authorizer --bin example \
  --bin empty-lambda --bin coldstart --bin load --bin authtoken

echo "==> 1. functions next to an empty lambda_http handler (moto for DynamoDB)"
start_moto
target/release/coldstart target/release

echo
echo "==> 2. local server throughput, memory store ($load_clients clients, $load_seconds s each)"
start_server memory "${users[@]}"
target/release/load "$server_addr" "$load_clients" "$load_seconds" whoami
target/release/load "$server_addr" "$load_clients" "$load_seconds" login

echo
echo "==> 3. login at the OWASP argon2id parameters (m=19456 KiB, t=2, p=1)"
cargo bench --locked -p authtoken --bench login_timing
