#!/usr/bin/env bash
# Runs `sam deploy` on what `sam build` left in .aws-sam/build, setting only the stack
# parameters given; a parameter left unset keeps the value the stack already has (its template
# default on the first deploy), so a deploy never silently resets what an operator chose. Extra
# arguments go to `sam deploy` as they are.
#
# The parameters and the variable each is taken from are the settings of manifest.json that
# have a parameter (docs/CONFIGURATION.md, "Stack parameters": TOKEN_TTL_SECONDS ->
# TokenTtlSeconds, ...). Their values come from the environment or, when DEPLOY_VARIABLES is
# set, from that JSON object (the deploy workflow passes its repository variables so:
# `toJSON(vars)`).
#
# Used by .github/workflows/deploy.yml (with --config-env ci); works by hand as well:
#   CORS_ALLOWED_ORIGINS=https://app.example.com bash scripts/deploy.sh
# Run it from the repository root (where samconfig.toml and .aws-sam are). SAM names the sam
# executable; by default the pinned one that scripts/package.sh installed in .venv, else the
# sam on PATH if it is the pinned version (as in the deploy workflow, which installs it).
set -euo pipefail

pinned=$(sed -n 's/^aws-sam-cli==//p' scripts/requirements-deploy.in 2>/dev/null || true)
if [ -n "${SAM:-}" ]; then
  sam=$SAM
elif [ -x .venv/bin/sam ]; then
  sam=.venv/bin/sam
elif command -v sam >/dev/null; then
  sam=$(command -v sam)
  found=$("$sam" --version 2>/dev/null | sed -n 's/^SAM CLI, version //p')
  if [ -n "$pinned" ] && [ "$found" != "$pinned" ]; then
    echo "deploy: $sam is SAM CLI ${found:-of an unknown version}, not the pinned $pinned;" \
      "run bash scripts/package.sh (it installs the pinned one into .venv), or set SAM=/path/to/sam" >&2
    exit 1
  fi
else
  echo "deploy: no SAM CLI: run bash scripts/package.sh first (it installs it into .venv)" >&2
  exit 1
fi
# "Parameter Variable Value" per parameter given a value (tab-separated, one a line).
given=$(python3 - <<'PY'
import json, os, sys
manifest = json.load(open("manifest.json"))
source = json.loads(os.environ["DEPLOY_VARIABLES"]) if os.environ.get("DEPLOY_VARIABLES") else os.environ
for setting in manifest["settings"]:
    value = source.get(setting["var"]) if setting["parameter"] else None
    if value:
        print(setting["parameter"], setting["var"], value, sep="\t")
PY
) || { echo "deploy: could not read manifest.json (run it from the repository root)" >&2; exit 1; }
overrides=()
while IFS=$'\t' read -r parameter variable value; do
  [ -n "$parameter" ] || continue
  if [[ $value =~ [[:space:]\"\'] ]]; then
    echo "deploy: $variable must not contain spaces or quotes (got: $value)" >&2
    exit 2
  fi
  overrides+=("$parameter=$value")
done <<<"$given"

if [ ! -f .aws-sam/build/template.yaml ]; then
  # Without it, sam deploy would fall back to template.yaml and upload the whole directory.
  echo "deploy: no .aws-sam/build/template.yaml here: run bash scripts/package.sh first," \
    "from the repository root" >&2
  exit 1
fi

# Lambda runs `bootstrap` itself, and SAM zips file modes as they are on Linux.
for bootstrap in .aws-sam/build/*/bootstrap; do
  if [ -e "$bootstrap" ] && [ ! -x "$bootstrap" ]; then
    echo "deploy: $bootstrap is not executable, so the function could not start;" \
      "was the build copied without its file modes?" >&2
    exit 1
  fi
done

args=(deploy)
if [ ${#overrides[@]} -gt 0 ]; then
  echo "==> sam deploy, setting: ${overrides[*]}"
  args+=(--parameter-overrides "${overrides[*]}")
else
  echo "==> sam deploy, setting no parameter (the stack keeps its values)"
fi
exec "$sam" "${args[@]}" "$@"
