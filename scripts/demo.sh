#!/usr/bin/env bash
# The demo: skiff talks TCP and HTTP with the Linux kernel over a virtual wire.
#
#   sudo scripts/demo.sh          run the demo and clean up
#   sudo scripts/demo.sh --stay   leave skiff-httpd running until Ctrl-C
#
# Installs what is missing, builds skiff-httpd and skiff-get, brings up the lab
# (a veth pair, the Linux end in network namespace skiff-peer at 10.88.0.1),
# starts skiff-httpd on the other end at 10.88.0.2 through DPDK's
# net_af_packet, pings it, fetches its page with curl from Linux, then stops it
# and fetches a page from a Linux web server (python3 -m http.server in the
# namespace) with skiff-get. Everything it set up is removed on exit, Ctrl-C
# included.
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

say "Building skiff-httpd and skiff-get in $BUILD/"
[[ -f "$BUILD/build.ninja" ]] || meson setup "$BUILD" >/dev/null
ninja -C "$BUILD" apps/skiff-httpd apps/skiff-get | tail -n 1

LOG=$(mktemp /tmp/skiff-demo.XXXXXX.log)
WEBROOT=$(mktemp -d /tmp/skiff-demo-web.XXXXXX)
SKIFF_PID=""
PY_PID=""
stop_httpd() {
  [[ -n "$SKIFF_PID" ]] || return 0
  say "Stopping skiff-httpd (SIGTERM to pid $SKIFF_PID); what it counted:"
  kill -TERM "$SKIFF_PID" 2>/dev/null || true
  wait "$SKIFF_PID" 2>/dev/null || true
  SKIFF_PID=""
  sed -n '/^counters:/,$p' "$LOG" | grep -E '^(http_|tcp_|live|mbufs)'
}
cleanup() {
  trap - EXIT INT TERM
  stop_httpd
  if [[ -n "$PY_PID" ]]; then
    kill "$PY_PID" 2>/dev/null || true
    wait "$PY_PID" 2>/dev/null || true
  fi
  say "Taking the lab down"
  "${LAB[@]}" down || true
  rm -rf "$LOG" "$WEBROOT" /var/run/dpdk/skiff-demo /var/run/dpdk/skiff-demo-get
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

say "Linux fetches skiff's page: ip netns exec $NS curl -sS -i http://$SKIFF_IP/"
ip netns exec "$NS" curl -sS -i --max-time 10 "http://$SKIFF_IP/"

if ((stay)); then
  say "skiff-httpd keeps running. Try: ip netns exec $NS curl http://$SKIFF_IP/   (Ctrl-C here to stop)"
  wait "$SKIFF_PID" || true
fi
stop_httpd

say "Now the other way round: a Linux web server in $NS, skiff-get as the client"
echo "<h1>Hello from the Linux kernel's TCP</h1>" >"$WEBROOT/index.html"
echo "\$ ip netns exec $NS /usr/bin/python3 -m http.server --bind $SUBNET.1 8000"
ip netns exec "$NS" /usr/bin/python3 -m http.server --bind "$SUBNET.1" \
  --directory "$WEBROOT" 8000 >/dev/null 2>&1 &
PY_PID=$!
for ((i = 0; i < 50; i++)); do
  ip netns exec "$NS" /usr/bin/python3 -c \
    "import socket; socket.create_connection(('$SUBNET.1', 8000), 1)" 2>/dev/null && break
  sleep 0.1
done
GET_EAL=("${EAL[@]/skiff-demo/skiff-demo-get}")
echo "\$ $BUILD/apps/skiff-get ${GET_EAL[*]} -- --ip=$SKIFF_IP/24 http://$SUBNET.1:8000/"
"$BUILD/apps/skiff-get" "${GET_EAL[@]}" --log-level=4 -- "--ip=$SKIFF_IP/24" \
  "http://$SUBNET.1:8000/" 2> >(grep -v '^skiff: eal' >&2)
sleep 0.2
say "Done"
