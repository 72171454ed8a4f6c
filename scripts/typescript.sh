#!/usr/bin/env bash
# The TypeScript client (clients/typescript/): installs its pinned tools (npm ci), checks that
# its types are docs/openapi.yaml's as openapi-typescript generates them now, type-checks and
# compiles it with tsc, then runs its tests (node --test) against `authtoken serve` on a free
# port. Needs Node 18 or later and npm.
#
# Usage: bash scripts/typescript.sh   (after target/debug/authtoken is built)
set -euo pipefail
cd "$(dirname "$0")/.."

authtoken=$PWD/target/debug/authtoken
[ -x "$authtoken" ] || cargo build --locked --bin authtoken
work=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  echo "Node.js 18 or later and npm are needed for the TypeScript client's checks (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi

cd clients/typescript
npm ci --no-audit --no-fund --loglevel=error

echo "clients/typescript/src/schema.d.ts against docs/openapi.yaml (openapi-typescript)"
npx openapi-typescript ../../docs/openapi.yaml --output "$work/schema.d.ts" >/dev/null
if ! diff -u src/schema.d.ts "$work/schema.d.ts"; then
  echo "src/schema.d.ts is stale: run 'npm run generate' in clients/typescript and commit it" >&2
  exit 1
fi

echo "tsc: type-check and compile"
npx tsc

port=$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
"$authtoken" serve --addr "127.0.0.1:$port" --user admin:password >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  node -e "require('net').connect($port, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))" && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log"; echo "authtoken serve exited" >&2; exit 1; }
  sleep 0.1
done
echo "node --test: the client against authtoken serve"
AUTHTOKEN_URL="http://127.0.0.1:$port" node --test test/
