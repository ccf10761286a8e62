#!/usr/bin/env bash
# Regenerates tests/data/wire/*.pcap: real frames from the Linux kernel for
# the stack/wire round-trip tests (tests/unit/wire/captured_frames_test.cc).
# Needs root, iproute2, ethtool, tcpdump and /usr/bin/python3.
# Lab: wh1a (10.201.0.1, host) <-> wh1b (10.201.0.2, netns wire-h1).
# The tests find frames by content, so run-to-run differences in order or in
# the number of frames are harmless.
set -euo pipefail

OUT=${1:-"$(cd "$(dirname "$0")/.." && pwd)/tests/data/wire"}
NS=wire-h1
A=wh1a
B=wh1b
mkdir -p "$OUT"

teardown() {
  [[ -n "${TCPDUMP_PID:-}" ]] && kill "$TCPDUMP_PID" 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  ip link del "$A" 2>/dev/null || true
}
trap teardown EXIT
teardown

ip netns add "$NS"
ip link add "$A" type veth peer name "$B"
ip link set "$B" netns "$NS"
ip link set "$A" address 02:00:0a:c9:00:01
ip -n "$NS" link set "$B" address 02:00:0a:c9:00:02
sysctl -qw "net.ipv6.conf.$A.disable_ipv6=1"
ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$B.disable_ipv6=1"
ip addr add 10.201.0.1/24 dev "$A"
ip -n "$NS" addr add 10.201.0.2/24 dev "$B"
ip link set "$A" up
ip -n "$NS" link set "$B" up
ip -n "$NS" link set lo up
# Finished checksums and MTU-sized frames on the wire (DESIGN.md).
ethtool -K "$A" tx off rx off gso off tso off gro off >/dev/null
ip netns exec "$NS" ethtool -K "$B" tx off rx off gso off tso off gro off >/dev/null

# Starts tcpdump on $A writing $OUT/$1.pcap; stop_capture ends it.
start_capture() {
  ip neigh flush dev "$A"
  ip -n "$NS" neigh flush dev "$B"
  tcpdump -i "$A" --immediate-mode -U -s 0 -w "$OUT/$1.pcap" 'not ip6' 2>/dev/null &
  TCPDUMP_PID=$!
  sleep 1
}
stop_capture() {
  sleep 1
  kill "$TCPDUMP_PID"
  wait "$TCPDUMP_PID" 2>/dev/null || true
  TCPDUMP_PID=
}

# ARP request/reply (neighbour flushed), echo request/reply, a full-size echo
# (1472 + 8 + 20 = 1500 bytes of IP) and an ICMP port unreachable for UDP.
start_capture arp_icmp
ping -c 2 -i 0.2 10.201.0.2 >/dev/null
ping -c 1 -s 1472 10.201.0.2 >/dev/null
echo probe >/dev/udp/10.201.0.2/9 || true
stop_capture

# IPv4 options: record route (RFC 791 §3.1) makes IHL 15.
start_capture ipv4_options
ping -c 1 -R 10.201.0.2 >/dev/null
stop_capture

# Fragments: 2000 bytes of echo data over a 1500 MTU, DF cleared.
start_capture ipv4_fragments
ping -c 1 -s 2000 -M dont 10.201.0.2 >/dev/null
stop_capture

# A TCP connection: SYN with MSS/SACK/timestamps/window scale, data, FIN.
start_capture tcp_connect
ip netns exec "$NS" timeout 10 /usr/bin/python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.201.0.2", 8080)); s.listen(1)
c, _ = s.accept(); c.recv(100); c.sendall(b"hello from the netns\n"); c.close()
' &
SERVER=$!
sleep 0.5
timeout 5 bash -c 'exec 3<>/dev/tcp/10.201.0.2/8080; echo "hello" >&3; cat <&3 >/dev/null'
wait "$SERVER"
stop_capture

ls -l "$OUT"/*.pcap
