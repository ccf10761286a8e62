#!/usr/bin/env bash
# The demo lab: a veth pair whose peer end sits in a network namespace, so the
# Linux kernel there is a real peer for skiff on the other end.
#
#   scripts/lab.sh up   [--ns NAME] [--host-if IF] [--peer-if IF] [--subnet A.B.C]
#   scripts/lab.sh down [same options]
#   scripts/lab.sh status [same options]
# (options may come before or after the command)
#
#   root namespace                          namespace NAME (default skiff-peer)
#   HOST-IF (default skiff0)  <-- veth -->  PEER-IF (default skiff0-peer)
#   unnumbered; skiff attaches here         A.B.C.1/24: the Linux peer
#   (net_af_packet,iface=HOST-IF) and
#   uses A.B.C.2/24 (default subnet 10.88.0)
#
# Both ends: offloads off (else the kernel hands over packets with unfinished
# checksums or bigger than the MTU), IPv6 off (no router solicitations or MLD
# noise). The host end also has ARP off and IPv4 forwarding off: the root
# namespace's kernel must neither answer for skiff nor route its packets.
# Interface names are at most 15 characters. `down` is safe to run twice.
set -euo pipefail

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; }

cmd=""
ns=skiff-peer
host_if=skiff0
peer_if=skiff0-peer
subnet=10.88.0
while (($#)); do
  case "$1" in
    --ns) ns="$2"; shift 2 ;;
    --host-if) host_if="$2"; shift 2 ;;
    --peer-if) peer_if="$2"; shift 2 ;;
    --subnet) subnet="$2"; shift 2 ;;
    --ns=*) ns="${1#*=}"; shift ;;
    --host-if=*) host_if="${1#*=}"; shift ;;
    --peer-if=*) peer_if="${1#*=}"; shift ;;
    --subnet=*) subnet="${1#*=}"; shift ;;
    -h | --help) usage; exit 0 ;;
    up | down | status) cmd="$1"; shift ;;
    *) echo "lab: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

for ifname in "$host_if" "$peer_if"; do
  if ((${#ifname} > 15)); then
    echo "lab: interface name '$ifname' is longer than 15 characters" >&2
    exit 2
  fi
done
if [[ ! "$subnet" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "lab: --subnet wants three octets, like 10.88.0" >&2
  exit 2
fi

in_ns() { ip netns exec "$ns" "$@"; }

# Offloads off; VLAN offloads only where the driver has them.
offloads_off() {
  "$@" ethtool -K "$IF" tx off rx off gso off tso off gro off >/dev/null 2>&1 ||
    echo "lab: warning: could not turn all offloads off on $IF" >&2
  "$@" ethtool -K "$IF" txvlan off rxvlan off >/dev/null 2>&1 || true
}

lab_down() {
  ip netns del "$ns" 2>/dev/null || true  # takes the peer end with it
  ip link del "$host_if" 2>/dev/null || true
}

lab_up() {
  lab_down
  modprobe veth 2>/dev/null || true  # built in on many kernels
  ip netns add "$ns"
  ip link add "$host_if" type veth peer name "$peer_if"
  ip link set "$peer_if" netns "$ns"

  # Root namespace end: skiff's wire. No addresses, no ARP, no forwarding.
  sysctl -qw "net.ipv6.conf.$host_if.disable_ipv6=1"
  sysctl -qw "net.ipv4.conf.$host_if.forwarding=0"
  ip link set "$host_if" arp off multicast off
  IF="$host_if" offloads_off

  # Namespace end: the Linux peer.
  in_ns sysctl -qw "net.ipv6.conf.$peer_if.disable_ipv6=1"
  IF="$peer_if" offloads_off in_ns
  in_ns ip addr add "$subnet.1/24" dev "$peer_if"
  in_ns ip link set lo up

  ip link set "$host_if" up
  in_ns ip link set "$peer_if" up
  echo "lab up: $host_if ($(cat "/sys/class/net/$host_if/address")) <-> $ns:$peer_if $subnet.1/24; skiff is $subnet.2"
}

lab_status() {
  ip -br link show "$host_if" 2>/dev/null || echo "lab: no $host_if"
  if ip netns list | grep -qw -- "$ns"; then
    in_ns ip -br addr
    in_ns ip neigh
  else
    echo "lab: no namespace $ns"
  fi
}

if ((EUID != 0)); then
  echo "lab: needs root (network namespaces and veth)" >&2
  exit 1
fi
case "$cmd" in
  up) lab_up ;;
  down) lab_down; echo "lab down: $host_if, namespace $ns" ;;
  status) lab_status ;;
  *) usage >&2; exit 2 ;;
esac
