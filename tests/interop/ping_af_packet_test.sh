#!/usr/bin/env bash
# skiff on net_af_packet (or net_af_xdp) over a veth pair answers the Linux
# kernel's ARP and pings (small and MTU-sized) from a network namespace, then
# stops cleanly.
#
#   ping_af_packet_test.sh SKIFF-HTTPD LAB-SH [af_packet|af_xdp]
set -euo pipefail
HTTPD="$1"
LAB="$2"
PMD="${3:-af_packet}"
# Names carry our pid, so that runs from several build directories at once
# never share a lab (interface names: at most 15 characters).
case "$PMD" in
  af_packet) TEST=ping-afp NS_PREFIX=skiff-t-ping IF_PREFIX=skp SUBNET=10.89.1 ;;
  af_xdp) TEST=ping-xdp NS_PREFIX=skiff-t-xdp IF_PREFIX=skx SUBNET=10.89.3 ;;
  *) echo "unknown PMD $PMD"; exit 2 ;;
esac
NS="$NS_PREFIX-$$"
HOST_IF="$IF_PREFIX$$"
PEER_IF="${HOST_IF}p"
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
interop_init
sweep_stale_labs "$NS_PREFIX" "$IF_PREFIX"
LAB_ARGS=(--ns "$NS" --host-if "$HOST_IF" --peer-if "$PEER_IF" --subnet "$SUBNET")
CLEANUP="'$LAB' down ${LAB_ARGS[*]}"

"$LAB" up "${LAB_ARGS[@]}" || fail "lab up"
start_skiff "$HTTPD" --no-huge -m 512 --no-pci --file-prefix "$FILE_PREFIX" \
  "--vdev=net_${PMD}0,iface=$HOST_IF" -- "--ip=$SUBNET.2/24"
wait_skiff_up

# Both PMDs send with the interface's own MAC.
[[ "$SKIFF_MAC" == "$(cat "/sys/class/net/$HOST_IF/address")" ]] ||
  fail "skiff's MAC $SKIFF_MAC is not $HOST_IF's"

expect_pings "$NS" "$SUBNET.2" 20 -i 0.05
expect_pings "$NS" "$SUBNET.2" 5 -i 0.05 -s 1472  # a full 1500-byte packet
expect_neigh "$NS" "$SUBNET.2" "$SKIFF_MAC"

stop_skiff
replies=$(counter icmp_out_echo_reps)
((replies >= 25)) || fail "skiff counted $replies echo replies, want >= 25"
log "PASS"
