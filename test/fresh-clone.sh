#!/usr/bin/env bash
# The README promise on a fresh machine: a clone, then `npm install && npm start`, with no environment variable set
# (in particular no ELECTRON_SKIP_BINARY_DOWNLOAD). Where Electron's binary cannot be downloaded the install still
# succeeds and `npm start` serves the headless workbench; `kill` of npm then leaves nothing running.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
unset ELECTRON_SKIP_BINARY_DOWNLOAD

echo "fresh-clone: git clone"
git clone --quiet "$repo" "$work/iotwb"
cd "$work/iotwb"
echo "fresh-clone: npm install"
npm install --no-audit --no-fund > "$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }
test -d node_modules/electron || { echo "fresh-clone: electron's package is missing after npm install"; exit 1; }
grep -E "^prepare: Electron" "$work/install.log" || true

echo "fresh-clone: npm start"
npm start -- --data-dir "$work/lab" --api-port 0 --mqtt-port 0 --coap-port 0 --northbound-port 0 > "$work/start.log" 2>&1 &
pid=$!
url=""
for _ in $(seq 1 300); do
  url="$(grep -oE 'http://127\.0\.0\.1:[0-9]+/#token=[0-9a-f]+' "$work/start.log" | head -1 || true)"
  [ -n "$url" ] && break
  sleep 0.2
done
[ -n "$url" ] || { cat "$work/start.log"; echo "fresh-clone: npm start printed no URL"; kill "$pid"; exit 1; }
page="$(curl -s "${url%%#*}")"
case "$page" in *'<div id="root">'*) ;; *) echo "fresh-clone: the UI page was not served"; kill "$pid"; exit 1 ;; esac
kill "$pid"
wait "$pid" || true
for _ in $(seq 1 50); do
  left="$(pgrep -f -- "--data-dir $work/lab" || true)"
  [ -z "$left" ] && break
  sleep 0.2
done
[ -z "$left" ] || { echo "fresh-clone: still running after kill: $left"; exit 1; }
echo "fresh-clone: ok ($(grep -c . "$work/start.log") lines from npm start; nothing left running)"
