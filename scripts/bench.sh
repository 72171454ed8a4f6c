#!/usr/bin/env bash
# The performance benchmark: builds the functions and an empty lambda_http handler with the
# release profile, then prints
#   1. per function: init, cold start, warm invocation, the first invocation's extra cost,
#      peak RSS and size, with ratios to the empty handler (each binary under the Lambda
#      Runtime API stand-in, against moto);
#   2. local server throughput on the memory store, for whoami and for login;
#   3. the login figure at the OWASP argon2 parameters (unknown user / inactive / wrong password),
#      and a migrated Django user's first login (PBKDF2 at 1,000,000 iterations);
#   4. `authtoken import django` throughput into moto (IMPORT_USERS users, each with a token);
#   5. what sealing per-user keys costs: sealing and opening, the seal secret's first read, and
#      one Secrets Manager call (what a KMS call per login would cost), next to a GetItem.
#
# Usage: bash scripts/bench.sh   (COLD_RUNS, WARM_INVOKES, LOAD_SECONDS, LOAD_CLIENTS,
#        IMPORT_USERS to change)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
trap cleanup EXIT

load_seconds=${LOAD_SECONDS:-5}
load_clients=${LOAD_CLIENTS:-16}
mapfile -t users < <(load_users "$load_clients")

echo "==> building release binaries (the first build takes minutes: LTO, one codegen unit)"
# The functions are every binary of the functions package (shared/src/manifest declares them).
# testkit's tools (the empty handler, coldstart, load) and the CLI are built beside them.
cargo build --release --locked -p functions -p testkit -p authtoken-cli --bins

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

echo
import_users=${IMPORT_USERS:-1000}
echo "==> 4. authtoken import django: $import_users users with their tokens into moto"
"$venv/bin/python" - "$import_users" >"$work/dump.json" <<'PY'
import json, secrets, sys
count = int(sys.argv[1])
# One Django pbkdf2_sha256 hash for all: the import copies hashes, it never computes one.
password = "pbkdf2_sha256$1000000$wCQvcnPbwDDWmlqBLf50VF$vNd/t1xgRuOSrY4KwTCUMlu2/RFNJjjY675lYTwKx1c="
entries = []
for pk in range(1, count + 1):
    entries.append({"model": "auth.user", "pk": pk, "fields": {"username": f"user{pk}", "password": password,
                    "is_active": True, "date_joined": "2026-11-29T10:00:00Z"}})
    entries.append({"model": "authtoken.token", "pk": secrets.token_hex(20),
                    "fields": {"user": pk, "created": "2026-11-29T10:00:00Z"}})
json.dump(entries, sys.stdout)
PY
export USERS_TABLE=bench-users TOKENS_TABLE=bench-tokens LOCKOUTS_TABLE=bench-lockouts
target/release/authtoken tables create >/dev/null
started=$(date +%s.%N)
# Its audit events (two lines a user) go to a file; the summary and progress are shown.
target/release/authtoken import django "$work/dump.json" 2>"$work/import.log"
ended=$(date +%s.%N)
grep -v ' audit: ' "$work/import.log" >&2 || true
"$venv/bin/python" -c "import sys; n, t = int(sys.argv[1]), float(sys.argv[3]) - float(sys.argv[2]); \
print(f'{n} users in {t:.2f} s: {n / t:.0f} users/s')" "$import_users" "$started" "$ended"

echo
echo "==> 5. per-user keys at rest: sealing, and reading the seal secret (moto)"
cargo bench --locked -p authtoken --bench seal

echo
echo "==> 6. password reset requests: the same time whether or not a user has the address (moto)"
cargo bench --locked -p authtoken-cli --bench reset_timing
