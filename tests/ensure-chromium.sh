#!/usr/bin/env bash
# Makes sure a Chromium exists for the browser tests: $CHROMIUM_PATH, else /usr/bin/chromium; installs Debian's
# package when this run may (root with apt-get), otherwise stops with a one-line instruction.
set -euo pipefail
target="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$target" ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Chromium not found at $target: installing Debian's chromium package (apt-get)…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "Chromium not found at $target: install it (sudo apt-get install -y chromium) or set CHROMIUM_PATH." >&2
exit 1
