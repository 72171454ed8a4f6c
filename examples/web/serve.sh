#!/usr/bin/env bash
# Serves the example app on http://127.0.0.1:8080/ (another origin than the API's, so that the
# browser's CORS checks run): builds the TypeScript client into client.js beside the page, then
# serves this folder with Python's http.server. Start the API first, in another terminal:
#   cargo run --bin authtoken -- serve --user admin:password
# then open http://127.0.0.1:8080/ (or http://127.0.0.1:8080/?api=URL for another API).
#
# Usage: bash examples/web/serve.sh [PORT]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
port=${1:-8080}
(cd "$here/../../clients/typescript" && npm ci --no-audit --no-fund --loglevel=error && npx tsc)
cp "$here/../../clients/typescript/dist/client.js" "$here/client.js"
echo "The example app: http://127.0.0.1:$port/ (Ctrl-C stops it)"
exec python3 -m http.server "$port" --bind 127.0.0.1 --directory "$here"
