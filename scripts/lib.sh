# shellcheck shell=bash
# Helpers shared by scripts/load.sh and scripts/bench.sh (source it; needs bash).
# Processes they start are recorded in $pids and stopped by cleanup (set as the EXIT trap).

source scripts/venv.sh
work=$(mktemp -d)
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}

# Installs moto into .venv if needed, starts it on a free loopback port, waits until it answers,
# and exports the AWS variables that point the SDK at it (DynamoDB and Secrets Manager, with the
# seal secret's name: `authtoken tables create` makes it).
start_moto() {
  ensure_venv scripts/requirements-test.txt
  local port
  port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$venv/bin/python" scripts/dynamodb_local.py "$port" >"$work/moto.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 150); do
    if "$venv/bin/python" -c "import socket; socket.create_connection(('127.0.0.1', $port), timeout=1)" 2>/dev/null; then
      export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$port" AWS_REGION=us-east-1 \
             AWS_ENDPOINT_URL_SECRETS_MANAGER="http://127.0.0.1:$port" \
             TOKEN_SEAL_SECRET=authtoken-local-seal \
             AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
      return 0
    fi
    sleep 0.2
  done
  echo "moto did not start; its log:" >&2
  cat "$work/moto.log" >&2
  return 1
}

# start_server NAME ARGS...: starts `target/release/authtoken serve --addr 127.0.0.1:0 ARGS...`
# in the background and sets $server_addr to the address it listens on.
start_server() {
  local log="$work/serve-$1.log"
  shift
  target/release/authtoken serve --addr 127.0.0.1:0 "$@" >/dev/null 2>"$log" &
  pids+=($!)
  for _ in $(seq 1 300); do
    if grep -q 'listening on http://' "$log"; then
      # shellcheck disable=SC2034 # read by the scripts that source this file
      server_addr=$(sed -n 's/.*listening on http:\/\/\([^ ]*\).*/\1/p' "$log")
      return 0
    fi
    sleep 0.1
  done
  echo "the server did not start; its log:" >&2
  cat "$log" >&2
  return 1
}

# load_users N: the --user arguments for the load generator's users load-1 .. load-N.
load_users() {
  for i in $(seq 1 "$1"); do printf -- '--user\nload-%s:load password\n' "$i"; done
}
