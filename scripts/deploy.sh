#!/usr/bin/env bash
# Runs `sam deploy` on what `sam build` left in .aws-sam/build, setting only the stack
# parameters given in the environment; a parameter left unset keeps the value the stack
# already has (its template default on the first deploy), so a deploy never silently resets
# what an operator chose. Extra arguments go to `sam deploy` as they are.
#
#   CORS_ALLOWED_ORIGINS   -> CorsAllowedOrigins   (comma-separated origins, no spaces)
#   CORS_ALLOWED_HEADERS   -> CorsAllowedHeaders   (comma-separated header names, no spaces)
#   TOKEN_TTL_SECONDS      -> TokenTtlSeconds
#   TOKEN_FORMAT           -> TokenFormat           (hex or prefixed)
#   TOKEN_POLICY           -> TokenPolicy           (per-user or per-login)
#   TOKEN_LIMIT_PER_USER   -> TokenLimitPerUser     (0 = no limit)
#   TOKEN_AUTO_REFRESH     -> TokenAutoRefresh      (true or false)
#   TOKEN_MIN_REFRESH_SECONDS -> TokenMinRefreshSeconds
#   TOKEN_MAX_TTL_SECONDS  -> TokenMaxTtlSeconds    (0 = no bound)
#   LOGIN_RATE_LIMIT       -> LoginRateLimit        LOGIN_BURST_LIMIT -> LoginBurstLimit
#   API_RATE_LIMIT         -> ApiRateLimit          API_BURST_LIMIT   -> ApiBurstLimit
#   LOGIN_LOCKOUT_THRESHOLD -> LoginLockoutThreshold
#   LOGIN_LOCKOUT_BASE_SECONDS -> LoginLockoutBaseSeconds
#   LOGIN_LOCKOUT_MAX_SECONDS -> LoginLockoutMaxSeconds
#   LOGIN_LOCKOUT_ACCOUNT_THRESHOLD -> LoginLockoutAccountThreshold
#   LOGIN_SOURCE_THRESHOLD -> LoginSourceThreshold   LOGIN_SOURCE_WINDOW_SECONDS -> LoginSourceWindowSeconds
#   LOG_RETENTION_DAYS     -> LogRetentionDays
#   LOCKOUT_ALARM_THRESHOLD -> LockoutAlarmThreshold   ALARM_TOPIC_ARN -> AlarmTopicArn
#   AUTHORIZER_CACHE_SECONDS -> AuthorizerCacheSeconds   (0, 5, 15, 30, 60, 120 or 300)
#   PERMISSIONS_BOUNDARY_ARN -> PermissionsBoundaryArn   (deploy/github-oidc-role.yaml's output)
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
overrides=()
set_parameter() {
  local parameter=$1 variable=$2
  local value=${!variable:-}
  [ -n "$value" ] || return 0
  if [[ $value =~ [[:space:]\"\'] ]]; then
    echo "deploy: $variable must not contain spaces or quotes (got: $value)" >&2
    exit 2
  fi
  overrides+=("$parameter=$value")
}
set_parameter CorsAllowedOrigins CORS_ALLOWED_ORIGINS
set_parameter CorsAllowedHeaders CORS_ALLOWED_HEADERS
set_parameter TokenTtlSeconds TOKEN_TTL_SECONDS
set_parameter TokenFormat TOKEN_FORMAT
set_parameter TokenPolicy TOKEN_POLICY
set_parameter TokenLimitPerUser TOKEN_LIMIT_PER_USER
set_parameter TokenAutoRefresh TOKEN_AUTO_REFRESH
set_parameter TokenMinRefreshSeconds TOKEN_MIN_REFRESH_SECONDS
set_parameter TokenMaxTtlSeconds TOKEN_MAX_TTL_SECONDS
set_parameter LoginRateLimit LOGIN_RATE_LIMIT
set_parameter LoginBurstLimit LOGIN_BURST_LIMIT
set_parameter ApiRateLimit API_RATE_LIMIT
set_parameter ApiBurstLimit API_BURST_LIMIT
set_parameter LoginLockoutThreshold LOGIN_LOCKOUT_THRESHOLD
set_parameter LoginLockoutBaseSeconds LOGIN_LOCKOUT_BASE_SECONDS
set_parameter LoginLockoutMaxSeconds LOGIN_LOCKOUT_MAX_SECONDS
set_parameter LoginLockoutAccountThreshold LOGIN_LOCKOUT_ACCOUNT_THRESHOLD
set_parameter LoginSourceThreshold LOGIN_SOURCE_THRESHOLD
set_parameter LoginSourceWindowSeconds LOGIN_SOURCE_WINDOW_SECONDS
set_parameter LogRetentionDays LOG_RETENTION_DAYS
set_parameter LockoutAlarmThreshold LOCKOUT_ALARM_THRESHOLD
set_parameter AlarmTopicArn ALARM_TOPIC_ARN
set_parameter AuthorizerCacheSeconds AUTHORIZER_CACHE_SECONDS
set_parameter PermissionsBoundaryArn PERMISSIONS_BOUNDARY_ARN

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
