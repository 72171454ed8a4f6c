#!/usr/bin/env bash
# The example app (examples/web) in headless Chromium against `authtoken serve`
# (scripts/browser_test.py), screenshots in target/browser/. Installs Debian's chromium and
# chromium-driver when they are missing (as root; otherwise it says what to install).
#
# Usage: bash scripts/browser.sh   (after scripts/typescript.sh has built the client)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "Chromium and its driver are needed: apt-get install chromium chromium-driver (as root, on Debian)" >&2
    exit 1
  fi
  echo "Installing Debian's chromium and chromium-driver"
  # Up to 10 minutes (a slow mirror); apt's own output says why it failed.
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q chromium chromium-driver >target/apt-chromium.log 2>&1 || {
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get update -q >>target/apt-chromium.log 2>&1 &&
      DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q chromium chromium-driver >>target/apt-chromium.log 2>&1
  } || { tail -20 target/apt-chromium.log >&2; exit 1; }
fi
# (Debian's wrapper script complains about its own memory check on stderr.)
/usr/bin/chromium --version 2>/dev/null
timeout 300 .venv/bin/python scripts/browser_test.py
