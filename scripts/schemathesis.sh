#!/usr/bin/env bash
# Holds `authtoken serve` to docs/openapi.yaml with schemathesis (property-based and stateful
# tests, from the spec's schemas and links): every answer's status, body and declared headers
# must conform, no answer may be a 5xx. Runs on the memory store and, with
# AWS_ENDPOINT_URL_DYNAMODB set (the test command sets it), on DynamoDB tables of its own, with
# every endpoint served (registration open, activation by email, emails to an outbox). The
# budget: schemathesis.toml's examples per operation and phase, and at most 10 minutes a store.
#
# Usage: bash scripts/schemathesis.sh   (after scripts/test.sh has built target/debug/authtoken
# and installed .venv)
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
authtoken=target/debug/authtoken
[ -x "$authtoken" ] || cargo build --locked --bin authtoken
work=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  "$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Every endpoint served. Every request comes from 127.0.0.1: the sending limits and the
# per-client allowance of login attempts are lifted, or the fuzzing's own failed logins would
# spend them and lock out the users the auth hook makes (the 429s are declared, and tested by
# the contract's cases).
export REGISTRATION=open SEND_ACTIVATION_EMAIL=true MAIL_LIMIT_PER_ADDRESS=1000 \
  MAIL_LIMIT_PER_SOURCE=100000 LOGIN_SOURCE_THRESHOLD=0 SCHEMATHESIS_HOOKS=scripts.schemathesis_auth

run_against() {
  local store=$1
  shift
  local port outbox=$work/$store-outbox
  port=$(free_port)
  mkdir -p "$outbox"
  "$authtoken" serve --addr "127.0.0.1:$port" --outbox "$outbox" --user admin:password "$@" >"$work/$store.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do
    "$venv/bin/python" -c "import socket; socket.create_connection(('127.0.0.1', $port), timeout=1).close()" 2>/dev/null && break
    kill -0 "$server" 2>/dev/null || { cat "$work/$store.log"; echo "authtoken serve exited" >&2; exit 1; }
    sleep 0.1
  done
  printf '\n==> schemathesis against authtoken serve (%s store)\n' "$store"
  local status=0
  AUTHTOKEN_URL="http://127.0.0.1:$port" AUTHTOKEN_OUTBOX="$outbox" PYTHONPATH=. \
    timeout 600 "$venv/bin/schemathesis" --config-file schemathesis.toml run docs/openapi.yaml \
    --url "http://127.0.0.1:$port" --no-color --seed 1 || status=$?
  kill "$server" && wait "$server" 2>/dev/null || true
  server=
  if [ "$status" -ne 0 ]; then
    echo "schemathesis found answers that do not conform to docs/openapi.yaml ($store store; server log: $work/$store.log)" >&2
    tail -20 "$work/$store.log" >&2
    exit "$status"
  fi
}

run_against memory

if [ -n "${AWS_ENDPOINT_URL_DYNAMODB:-}" ]; then
  suffix=$("$venv/bin/python" -c 'import secrets; print(secrets.token_hex(4))')
  export USERS_TABLE="st-users-$suffix" TOKENS_TABLE="st-tokens-$suffix" \
    LOCKOUTS_TABLE="st-lockouts-$suffix" TOKEN_POLICY=per-login
  "$authtoken" tables create >/dev/null
  run_against dynamodb --dynamodb
fi
