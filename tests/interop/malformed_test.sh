#!/usr/bin/env bash
# Malformed traffic: for 20 s (at most 400 k frames) scapy sends random and
# malformed TCP segments and IPv4 garbage from the namespace at skiff-httpd's
# address and port (tests/interop/malformed_gen.py: bad checksums, bad data
# offsets, random flags and options, truncated headers, IP options,
# fragments, bogus lengths, spoofed on-link sources). Meanwhile a curl every
# 0.5 s must keep being served; afterwards skiff-httpd still serves, its
# mbufs in use are back to the start value and the drop counters moved.
#
#   malformed_test.sh SKIFF-HTTPD LAB-SH
set -euo pipefail
HTTPD="$1"
LAB="$2"
TEST=malformed NS_PREFIX=skiff-t-malf IF_PREFIX=smf SUBNET=10.89.82
DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/interop/lib.sh
source "$DIR/lib.sh"
# shellcheck source=tests/interop/http_lib.sh
source "$DIR/http_lib.sh"
/usr/bin/python3 -c 'import scapy' 2>/dev/null ||
  { echo "FAIL: python3-scapy is not installed (scripts/install-deps.sh)"; exit 1; }
SECONDS_OF_GARBAGE=${SKIFF_MALFORMED_SECONDS:-20}
http_lab_up
start_httpd --idle_timeout_ms=1000

in_ns curl -sf -m 5 -o /dev/null "http://$SKIFF_IP/" || fail "curl before the garbage failed"
start_mbufs=$(httpd_status mbufs_in_use)

in_ns timeout $((SECONDS_OF_GARBAGE + 30)) /usr/bin/python3 "$DIR/malformed_gen.py" \
  "$PEER_IF" "$SKIFF_MAC" "$SKIFF_IP" "$PEER_IP" 80 "$SECONDS_OF_GARBAGE" 400000 "${SKIFF_MALFORMED_SEED:-8}" \
  >"$WORK/gen.log" 2>&1 &
GEN_PID=$!
CLEANUP="kill $GEN_PID 2>/dev/null || true; $CLEANUP"
served=0 tried=0
while kill -0 "$GEN_PID" 2>/dev/null && ((tried < 200)); do
  tried=$((tried + 1))
  in_ns curl -sf -m 2 -o /dev/null "http://$SKIFF_IP/" && served=$((served + 1))
  sleep 0.5
done
wait "$GEN_PID" || { cat "$WORK/gen.log"; fail "the generator failed"; }
log "$(cat "$WORK/gen.log")"
log "during the garbage: $served of $tried curls served"
kill -0 "$SKIFF_PID" 2>/dev/null || fail "skiff-httpd died"
((tried >= 10)) || fail "the garbage ran too short ($tried curls)"
((served == tried)) || fail "only $served of $tried curls were served during the garbage"

in_ns curl -sf -m 5 -o /dev/null "http://$SKIFF_IP/" || fail "curl after the garbage failed"
# Packets parked for spoofed neighbours go when ARP gives up (3 tries, 1 s
# apart); then every mbuf is back.
back=0
for ((i = 0; i < 75; i++)); do
  m=$(httpd_status mbufs_in_use)
  if ((m <= start_mbufs)) && (($(httpd_status buffer_chunks_in_use) == 0)); then back=1; break; fi
  sleep 0.2
done
((back)) || fail "not back after 15 s: $(grep '^status:' "$LOG" | tail -1) (start: mbufs $start_mbufs)"
log "after: $(grep '^status:' "$LOG" | tail -1) (start: mbufs $start_mbufs)"
stop_skiff
log "drops: $(grep -E '^drop_' "$LOG" | tr -s ' ' | paste -sd, -)"
# The garbage must have been seen and sorted by reason. (No fragment
# reaches skiff: DPDK's af_packet PMD asks the kernel to reassemble,
# PACKET_FANOUT_FLAG_DEFRAG, so drop_ip_fragment stays 0 here.)
for c in drop_tcp_bad_checksum drop_tcp_bad_offset drop_tcp_malformed drop_tcp_bad_flags \
  drop_ip_bad_checksum drop_ip_bad_version drop_ip_bad_length drop_ip_too_short \
  drop_tcp_no_socket; do
  (($(counter "$c") > 0)) || fail "$c did not move"
done
log "PASS"
