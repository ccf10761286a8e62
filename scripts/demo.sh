#!/usr/bin/env bash
# The demo: skiff answers the Linux kernel over a virtual wire.
#
#   sudo scripts/demo.sh          run the demo and clean up
#   sudo scripts/demo.sh --stay   leave skiff running until Ctrl-C
#
# Installs what is missing, builds skiff-httpd, brings up the lab (a veth pair,
# the Linux end in network namespace skiff-peer at 10.88.0.1), starts
# skiff-httpd on the other end at 10.88.0.2 through DPDK's net_af_packet, pings
# it from Linux and shows what the kernel learned. Everything it set up is
# removed on exit, Ctrl-C included.
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${SKIFF_BUILD_DIR:-build}
NS=skiff-peer
HOST_IF=skiff0
PEER_IF=skiff0-peer
SUBNET=10.88.0
SKIFF_IP=$SUBNET.2
LAB=(scripts/lab.sh --ns "$NS" --host-if "$HOST_IF" --peer-if "$PEER_IF" --subnet "$SUBNET")

stay=0
case "${1:-}" in
  --stay) stay=1 ;;
  "") ;;
  *) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac

say() { printf '\n== %s\n' "$*"; }

if ((EUID != 0)); then
  echo "demo: needs root (veth, network namespaces, raw sockets): sudo $0" >&2
  exit 1
fi

say "Checking packages"
scripts/install-deps.sh --check >/dev/null || scripts/install-deps.sh

say "Building skiff-httpd in $BUILD/"
[[ -f "$BUILD/build.ninja" ]] || meson setup "$BUILD" >/dev/null
ninja -C "$BUILD" apps/skiff-httpd | tail -n 1

LOG=$(mktemp /tmp/skiff-demo.XXXXXX.log)
SKIFF_PID=""
cleanup() {
  trap - EXIT INT TERM
  if [[ -n "$SKIFF_PID" ]]; then
    say "Stopping skiff-httpd (pid $SKIFF_PID); what it counted:"
    kill -TERM "$SKIFF_PID" 2>/dev/null || true
    wait "$SKIFF_PID" 2>/dev/null || true
    sed -n '/^counters:/,$p' "$LOG"
  fi
  say "Taking the lab down"
  "${LAB[@]}" down || true
  rm -rf "$LOG" /var/run/dpdk/skiff-demo
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "Bringing up the lab: $HOST_IF <-> veth <-> $PEER_IF ($SUBNET.1) in namespace $NS"
"${LAB[@]}" up

# Hugepages if there are free ones, 512 MB of ordinary memory otherwise.
EAL=(--no-pci --file-prefix skiff-demo "--vdev=net_af_packet0,iface=$HOST_IF")
if ! grep -q hugetlbfs /proc/mounts ||
  (($(awk '/HugePages_Free/ {print $2}' /proc/meminfo) == 0)); then
  EAL+=(--no-huge -m 512)
fi

say "Starting skiff-httpd on $HOST_IF as $SKIFF_IP"
echo "\$ $BUILD/apps/skiff-httpd ${EAL[*]} -- --ip=$SKIFF_IP/24 --gateway=$SUBNET.1"
"$BUILD/apps/skiff-httpd" "${EAL[@]}" -- "--ip=$SKIFF_IP/24" \
  "--gateway=$SUBNET.1" >"$LOG" 2>&1 &
SKIFF_PID=$!
for ((i = 0; i < 200; i++)); do
  grep -q '^skiff-httpd: up:' "$LOG" && break
  if ! kill -0 "$SKIFF_PID" 2>/dev/null; then
    cat "$LOG"
    echo "demo: skiff-httpd exited during start-up" >&2
    exit 1
  fi
  sleep 0.1
done
grep '^skiff-httpd: up:' "$LOG" || { cat "$LOG"; echo "demo: no start-up line after 20 s" >&2; exit 1; }

say "Linux pings skiff: ip netns exec $NS ping -c 5 $SKIFF_IP"
ip netns exec "$NS" ping -c 5 -i 0.2 "$SKIFF_IP"

say "The kernel's neighbour table (learned from skiff's ARP reply): ip netns exec $NS ip neigh"
ip netns exec "$NS" ip neigh show dev "$PEER_IF"
echo "(skiff's MAC is $HOST_IF's: $(cat "/sys/class/net/$HOST_IF/address"))"

# HTTP arrives with TCP: then this fetches a page with
# ip netns exec $NS curl -sS http://$SKIFF_IP/
say "HTTP: coming with the TCP layer"

if ((stay)); then
  say "skiff-httpd keeps running. Try: ip netns exec $NS ping $SKIFF_IP   (Ctrl-C here to stop)"
  wait "$SKIFF_PID" || true
fi
say "Done"
