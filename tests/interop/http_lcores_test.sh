#!/usr/bin/env bash
# skiff-httpd on 2 lcores (issue 10): one Stack per lcore on the two queue
# pairs of net_af_packet qpairs=2, whose fanout hash is the kernel's, not
# skiff's, so software dispatch hands each lcore its flows (and every ARP).
# 200 curl connections and a short wrk run from the Linux namespace: all 200,
# no socket error, no non-2xx; both lcores served; then a clean stop.
#
#   http_lcores_test.sh SKIFF-HTTPD LAB-SH
set -euo pipefail
HTTPD="$1"
LAB="$2"
TEST=http-lcores NS_PREFIX=skiff-t-hlc IF_PREFIX=shl SUBNET=10.89.90
DIR=$(dirname "$0")
# shellcheck source=tests/interop/lib.sh
source "$DIR/lib.sh"
# shellcheck source=tests/interop/http_lib.sh
source "$DIR/http_lib.sh"
command -v wrk >/dev/null || { echo "FAIL: wrk is not installed (scripts/install-deps.sh)"; exit 1; }
(($(nproc) >= 2)) || { echo "SKIP: needs 2 cores"; exit 77; }
http_lab_up
EAL=(--no-huge -m 1024 --no-pci --file-prefix "$FILE_PREFIX" -l 0-1
  "--vdev=net_af_packet0,iface=$HOST_IF,qpairs=2")
start_httpd
grep -q '^skiff-httpd: up:.*queues 2 rss software.*lcores 2$' "$LOG" ||
  fail "not up on 2 lcores with software dispatch: $(grep '^skiff-httpd: up:' "$LOG")"

URL="http://$SKIFF_IP/"
ok=0
for ((i = 0; i < 200; i++)); do
  code=$(in_ns curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "$URL" || true)
  [[ "$code" == 200 ]] && ok=$((ok + 1))
done
((ok == 200)) || fail "curl: $ok of 200 connections answered 200"
log "curl: 200 of 200 connections answered 200"

out=$(in_ns timeout 20 wrk -t1 -c16 -d3s "$URL" 2>&1) || { echo "$out"; fail "wrk failed"; }
echo "$out"
grep -q 'Socket errors' <<<"$out" && fail "wrk reported socket errors"
grep -q 'Non-2xx or 3xx responses' <<<"$out" && fail "wrk saw non-2xx/3xx responses"
reqs=$(awk '/requests in/ {print $1}' <<<"$out")
((${reqs:-0} > 0)) || fail "wrk completed no request"
log "wrk -t1 -c16 -d3s: $reqs requests, no errors"

stop_httpd_idle
grep '^lcore [01] dispatch:' "$LOG" || fail "no dispatch lines"
# One summed "counters:" block, then a line per lcore: each lcore served,
# and the sum is what the lcores' lines add up to.
mapfile -t accepted < <(sed -n 's/^lcore [01]: http_connections_accepted \([0-9]*\) .*/\1/p' "$LOG")
((${#accepted[@]} == 2)) || fail "want 2 lcores' accept counts, got ${#accepted[*]}"
((accepted[0] > 0 && accepted[1] > 0)) ||
  fail "an lcore served nothing: accepted ${accepted[*]}"
total=$(awk '$1 == "http_connections_accepted" {print $2}' "$LOG")
((total == accepted[0] + accepted[1])) ||
  fail "summed http_connections_accepted ${total:-none} != ${accepted[0]} + ${accepted[1]}"
log "accepted per lcore: ${accepted[*]}"
log "PASS"
