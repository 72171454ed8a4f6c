#!/usr/bin/env bash
# Builds the deployable artefacts: `sam build` with the rust-cargolambda build method, which
# cross-compiles the three functions for arm64 (provided.al2023) with cargo-lambda and zig.
# Installs its tools into .venv first; prints the time taken and each function's size.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
echo "==> cargo-lambda, zig and the SAM CLI into $venv (scripts/requirements-package.txt)"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r scripts/requirements-package.txt
export PATH="$PWD/$venv/bin:$PATH" SAM_CLI_TELEMETRY=0

echo "==> sam build (release profile, arm64; the first build compiles the AWS SDK: minutes)"
start=$(date +%s)
sam build "$@"
echo "==> built in $(( $(date +%s) - start )) s; artefacts in .aws-sam/build:"
for dir in .aws-sam/build/*Function; do
  printf '    %-16s bootstrap %s bytes\n' "$(basename "$dir")" "$(stat -c %s "$dir/bootstrap")"
done
