#!/usr/bin/env bash
# Headless Chromium in the namespace loads skiff-httpd's built-in page: the
# rendered DOM must hold the page's text; a screenshot is kept as an
# artifact under the build directory (path printed).
#
#   browser_chromium_test.sh SKIFF-HTTPD LAB-SH ARTIFACT-DIR
set -euo pipefail
HTTPD="$1"
LAB="$2"
ARTIFACTS="$3"
TEST=browser NS_PREFIX=skiff-t-brw IF_PREFIX=sbr SUBNET=10.89.55
DIR=$(dirname "$0")
# shellcheck source=tests/interop/lib.sh
source "$DIR/lib.sh"
# shellcheck source=tests/interop/http_lib.sh
source "$DIR/http_lib.sh"
command -v chromium >/dev/null ||
  { echo "[$TEST] FAIL: chromium is not installed (scripts/install-deps.sh)"; exit 1; }
http_lab_up
start_httpd
URL="http://$SKIFF_IP/"
PROFILE="$WORK/profile"
CHROME=(in_ns timeout 60 chromium --headless --no-sandbox --disable-gpu
  --disable-quic --no-first-run --disable-background-networking
  --disable-component-update --disable-sync --disable-dev-shm-usage
  "--user-data-dir=$PROFILE")
dom=$("${CHROME[@]}" --dump-dom "$URL" 2>"$WORK/chrome.err") ||
  { tail -20 "$WORK/chrome.err"; fail "chromium --dump-dom failed"; }
grep -q '<h1>skiff</h1>' <<<"$dom" || { echo "$dom" | head -20; fail "the DOM has no <h1>skiff</h1>"; }
grep -q 'user-space TCP/IP stack' <<<"$dom" || fail "the DOM lacks the page's text"
log "rendered DOM: $(grep -o '<title>[^<]*</title>' <<<"$dom"), $(grep -c '<li>' <<<"$dom") list items"
mkdir -p "$ARTIFACTS"
SHOT="$(cd "$ARTIFACTS" && pwd)/browser_chromium.png"
rm -f "$SHOT"
"${CHROME[@]}" "--screenshot=$SHOT" --window-size=1024,768 "$URL" 2>"$WORK/chrome.err" ||
  { tail -20 "$WORK/chrome.err"; fail "chromium --screenshot failed"; }
[[ -s "$SHOT" ]] || fail "no screenshot written"
log "screenshot: $SHOT ($(stat -c %s "$SHOT") bytes)"
stop_httpd_idle
log "PASS"
