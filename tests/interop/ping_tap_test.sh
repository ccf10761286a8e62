#!/usr/bin/env bash
# skiff on net_tap answers the Linux kernel's ARP and pings through the tap
# interface the PMD creates, then stops cleanly.
#
# skiff-httpd runs inside the test's own network namespace, so the tap
# interface appears there and the kernel peer is that namespace's stack: the
# root namespace never sees it, and it goes away with skiff.
#
#   ping_tap_test.sh SKIFF-HTTPD
set -euo pipefail
HTTPD="$1"
TEST=ping-tap
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
interop_init
sweep_stale_labs skiff-t-tap skt

NS="skiff-t-tap-$$"  # our pid: concurrent runs never share a namespace
TAP_IF="skt$$"       # at most 15 characters
SUBNET=10.89.2
CLEANUP="ip netns del $NS"
in_ns() { ip netns exec "$NS" "$@"; }

ip netns add "$NS" || fail "ip netns add"
in_ns ip link set lo up
start_skiff ip netns exec "$NS" "$HTTPD" --no-huge -m 512 --no-pci \
  --file-prefix "$FILE_PREFIX" "--vdev=net_tap0,iface=$TAP_IF" -- \
  "--ip=$SUBNET.2/24"
wait_skiff_up

# The kernel's end of the tap: its own MAC (the PMD gives the interface the
# port's), no offloads, no IPv6, the peer's address.
in_ns ip link set "$TAP_IF" address 02:00:0a:59:02:01 || fail "tap MAC"
in_ns ethtool -K "$TAP_IF" tx off rx off gso off tso off gro off >/dev/null 2>&1 ||
  true
in_ns sysctl -qw "net.ipv6.conf.$TAP_IF.disable_ipv6=1"
in_ns ip addr add "$SUBNET.1/24" dev "$TAP_IF" || fail "tap address"
in_ns ip link set "$TAP_IF" up

expect_pings "$NS" "$SUBNET.2" 20 -i 0.05
expect_pings "$NS" "$SUBNET.2" 5 -i 0.05 -s 1472
expect_neigh "$NS" "$SUBNET.2" "$SKIFF_MAC"

stop_skiff
replies=$(counter icmp_out_echo_reps)
((replies >= 25)) || fail "skiff counted $replies echo replies, want >= 25"
log "PASS"
