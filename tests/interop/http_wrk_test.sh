#!/usr/bin/env bash
# wrk -t2 -c64 -d10s from the Linux namespace against skiff-httpd: no socket
# errors, no non-2xx answers; prints requests/s.
#
#   http_wrk_test.sh SKIFF-HTTPD LAB-SH
set -euo pipefail
HTTPD="$1"
LAB="$2"
TEST=http-wrk NS_PREFIX=skiff-t-hwrk IF_PREFIX=shw SUBNET=10.89.51
DIR=$(dirname "$0")
# shellcheck source=tests/interop/lib.sh
source "$DIR/lib.sh"
# shellcheck source=tests/interop/http_lib.sh
source "$DIR/http_lib.sh"
command -v wrk >/dev/null || { echo "FAIL: wrk is not installed (scripts/install-deps.sh)"; exit 1; }
http_lab_up
start_httpd
out=$(in_ns timeout 30 wrk -t2 -c64 -d10s "http://$SKIFF_IP/" 2>&1) || { echo "$out"; fail "wrk failed"; }
echo "$out"
grep -q 'Socket errors' <<<"$out" && fail "wrk reported socket errors"
grep -q 'Non-2xx or 3xx responses' <<<"$out" && fail "wrk saw non-2xx/3xx responses"
reqs=$(awk '/requests in/ {print $1}' <<<"$out")
rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
((${reqs:-0} > 0)) || fail "wrk completed no request"
log "wrk -t2 -c64 -d10s: $reqs requests, $rps requests/s, no errors"
stop_httpd_idle
((  $(counter http_responses_200) >= reqs )) || fail "skiff counted fewer 200s than wrk got"
log "PASS"
