#!/usr/bin/env bash
# skiff-httpd on 2 lcores over net_tap with 2 queues (issue 10): the kernel
# picks the tap queue of each packet itself, so software dispatch hands each
# lcore its flows. skiff-httpd runs inside the test's namespace (the tap
# appears there, as in ping_tap_test.sh); 100 curl connections and a short
# wrk run, no error; both lcores served; a clean stop.
#
#   http_lcores_tap_test.sh SKIFF-HTTPD
set -euo pipefail
HTTPD="$1"
TEST=http-lcores-tap
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
command -v wrk >/dev/null || { echo "FAIL: wrk is not installed (scripts/install-deps.sh)"; exit 1; }
(($(nproc) >= 2)) || { echo "SKIP: needs 2 cores"; exit 77; }
interop_init
sweep_stale_labs skiff-t-lct slt

NS="skiff-t-lct-$$"
TAP_IF="slt$$"
SUBNET=10.89.91
CLEANUP="ip netns del $NS"
in_ns() { ip netns exec "$NS" "$@"; }

ip netns add "$NS" || fail "ip netns add"
in_ns ip link set lo up
start_skiff ip netns exec "$NS" "$HTTPD" --no-huge -m 1024 --no-pci \
  --file-prefix "$FILE_PREFIX" -l 0-1 "--vdev=net_tap0,iface=$TAP_IF" -- \
  "--ip=$SUBNET.2/24"
wait_skiff_up
grep -q '^skiff-httpd: up:.*queues 2 rss .*lcores 2$' "$LOG" ||
  fail "not up on 2 lcores: $(grep '^skiff-httpd: up:' "$LOG")"
log "$(grep -o 'queues 2 rss .*' "$LOG")"

in_ns ip link set "$TAP_IF" address 02:00:0a:59:5b:01 || fail "tap MAC"
in_ns ethtool -K "$TAP_IF" tx off rx off gso off tso off gro off >/dev/null 2>&1 ||
  true
in_ns sysctl -qw "net.ipv6.conf.$TAP_IF.disable_ipv6=1"
in_ns ip addr add "$SUBNET.1/24" dev "$TAP_IF" || fail "tap address"
in_ns ip link set "$TAP_IF" up

URL="http://$SUBNET.2/"
ok=0
for ((i = 0; i < 100; i++)); do
  code=$(in_ns curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "$URL" || true)
  [[ "$code" == 200 ]] && ok=$((ok + 1))
done
((ok == 100)) || fail "curl: $ok of 100 connections answered 200"
log "curl: 100 of 100 connections answered 200"
out=$(in_ns timeout 20 wrk -t1 -c16 -d3s "$URL" 2>&1) || { echo "$out"; fail "wrk failed"; }
echo "$out"
grep -q 'Socket errors' <<<"$out" && fail "wrk reported socket errors"
grep -q 'Non-2xx or 3xx responses' <<<"$out" && fail "wrk saw non-2xx/3xx responses"

stop_skiff
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
