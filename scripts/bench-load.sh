#!/usr/bin/env bash
# skiff-load against wrk and ab, in one run, against the same nginx (one
# worker, kernel TCP) in a namespace: connections/s (Connection: close) and
# requests/s (keep-alive) achieved, and CPU seconds the generator used per
# 10,000 connections (or requests). A report, not a gate.
#
#   sudo scripts/bench-load.sh [--no-build]   (DURATION=5 CONNS=16 BUILD=build)
#
# skiff-load runs on its own veth through net_af_packet as 10.97.0.2; wrk and
# ab use the kernel on a second veth as 10.98.0.2; nginx in the namespace
# listens on both (.1). Every generator is pinned to core 0, nginx to core 1
# (on a 2-core machine they share nothing else). skiff-load busy-polls, so
# its CPU time is its wall time; wrk and ab sleep in epoll/poll.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DURATION=${DURATION:-5}
CONNS=${CONNS:-16}
build=1
[[ "${1:-}" == "--no-build" ]] && build=0
((EUID == 0)) || { echo "bench-load: needs root (namespaces)" >&2; exit 1; }
for t in wrk ab nginx /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "bench-load: $t missing: scripts/install-deps.sh" >&2; exit 1; }
done
((build)) && ninja -C "$BUILD" apps/skiff-load >/dev/null

NS=skiff-bench-load
SK_IF=skbl0   # skiff-load's veth (af_packet), 10.97.0.2; peer .1 in NS
K_IF=skblk0   # the kernel generators' veth, 10.98.0.2; peer .1 in NS
LAB=(scripts/lab.sh --ns "$NS" --host-if "$SK_IF" --peer-if "${SK_IF}p" --subnet 10.97.0)
WORK=$(mktemp -d /tmp/skiff-bench-load.XXXXXX)
NGINX_PID=""
cleanup() {
  trap - EXIT INT TERM
  [[ -n "$NGINX_PID" ]] && kill -TERM "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  ip link del "$K_IF" 2>/dev/null || true
  "${LAB[@]}" down >/dev/null 2>&1 || true
  rm -rf "/var/run/dpdk/skiff-bench-load" "$WORK"
}
trap cleanup EXIT INT TERM

"${LAB[@]}" down >/dev/null 2>&1 || true
"${LAB[@]}" up >/dev/null
ip link del "$K_IF" 2>/dev/null || true
ip link add "$K_IF" type veth peer name "${K_IF}p"
ip link set "${K_IF}p" netns "$NS"
ip addr add 10.98.0.2/24 dev "$K_IF"
ip link set "$K_IF" up
ip netns exec "$NS" ip addr add 10.98.0.1/24 dev "${K_IF}p"
ip netns exec "$NS" ip link set "${K_IF}p" up
ethtool -K "$K_IF" tx off rx off gso off tso off gro off >/dev/null 2>&1 || true
ip netns exec "$NS" ethtool -K "${K_IF}p" tx off rx off gso off tso off gro off >/dev/null 2>&1 || true
# Both ends reuse ports fast: a Connection: close run leaves TIME-WAITs.
sysctl -qw net.ipv4.tcp_tw_reuse=1
ip netns exec "$NS" sysctl -qw net.ipv4.tcp_tw_reuse=1

mkdir -p "$WORK/root" "$WORK/nginx"
head -c 64 /dev/zero | tr '\0' 's' >"$WORK/root/page.html"
chmod 755 "$WORK" "$WORK/root"
chmod 644 "$WORK/root/page.html"
cat >"$WORK/nginx/nginx.conf" <<NGX
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
worker_rlimit_nofile 65536;
events { worker_connections 16384; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 8080 backlog=4096;
    root $WORK/root;
  }
}
NGX
ip netns exec "$NS" taskset -c 1 nginx -c "$WORK/nginx/nginx.conf" &
NGINX_PID=$!
for _ in $(seq 50); do curl -s -o /dev/null http://10.98.0.1:8080/page.html && break; sleep 0.1; done

# cpu NAME CMD...: runs CMD pinned to core 0 under /usr/bin/time; its output
# in $WORK/NAME.out, its CPU seconds (user + sys) printed.
cpu() {
  local name=$1
  shift
  /usr/bin/time -f "%U %S" -o "$WORK/$name.time" taskset -c 0 "$@" >"$WORK/$name.out" 2>&1 || true
  awk '{print $1 + $2}' "$WORK/$name.time"
}
row() {  # name done seconds cpu
  local rate per10k
  rate=$(awk -v n="$2" -v s="$3" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
  per10k=$(awk -v n="$2" -v c="$4" 'BEGIN { printf "%.3f", (n > 0 ? c / (n / 10000) : 0) }')
  printf '%-26s %10s/s  %9s done  %6.2f s CPU  %7s CPU s per 10k\n' "$1" "$rate" "$2" "$4" "$per10k"
}
URL_K=http://10.98.0.1:8080/page.html
SKIFF=("$BUILD/apps/skiff-load" --no-huge -m 1024 --no-pci --file-prefix skiff-bench-load -l 0
  "--vdev=net_af_packet0,iface=$SK_IF" --log-level=4 -- --ip=10.97.0.2/24 --quiet
  http://10.97.0.1:8080/page.html --concurrency="$CONNS" --duration_s="$DURATION")
json() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }

echo "bench-load: $CONNS connections, ${DURATION} s each, generators on core 0, nginx (1 worker) on core 1"
echo "machine: $(lscpu | sed -n 's/Model name: *//p'), $(nproc) cores, kernel $(uname -r)"
echo "-- Connection: close (one connection per request; conn/s)"
c=$(cpu skiff-cps "${SKIFF[@]}" --workload=cps --json="$WORK/skiff-cps.json")
row "skiff-load cps" "$(json "$WORK/skiff-cps.json" requests_completed)" "$(json "$WORK/skiff-cps.json" seconds)" "$c"
echo "   errors: $(json "$WORK/skiff-cps.json" errors_total)"
c=$(cpu wrk-close wrk -t1 -c"$CONNS" -d"${DURATION}s" -H "Connection: close" "$URL_K")
n=$(awk '/requests in/ {print $1}' "$WORK/wrk-close.out")
s=$(awk '/requests in/ {gsub(/s,/, "", $4); print $4}' "$WORK/wrk-close.out")
row "wrk -H 'Connection: close'" "$n" "$s" "$c"
grep -E "Socket errors|Non-2xx" "$WORK/wrk-close.out" | sed 's/^/   /' || true
c=$(cpu ab-close ab -q -c "$CONNS" -t "$DURATION" -n 10000000 "$URL_K")
n=$(awk '/^Complete requests:/ {print $3}' "$WORK/ab-close.out")
s=$(awk '/^Time taken for tests:/ {print $5}' "$WORK/ab-close.out")
row "ab" "$n" "$s" "$c"
echo "   failed: $(awk '/^Failed requests:/ {print $3}' "$WORK/ab-close.out")"

echo "-- keep-alive (req/s over $CONNS connections)"
c=$(cpu skiff-rps "${SKIFF[@]}" --workload=rps --json="$WORK/skiff-rps.json")
row "skiff-load rps" "$(json "$WORK/skiff-rps.json" requests_completed)" "$(json "$WORK/skiff-rps.json" seconds)" "$c"
echo "   errors: $(json "$WORK/skiff-rps.json" errors_total)"
c=$(cpu wrk-ka wrk -t1 -c"$CONNS" -d"${DURATION}s" "$URL_K")
n=$(awk '/requests in/ {print $1}' "$WORK/wrk-ka.out")
s=$(awk '/requests in/ {gsub(/s,/, "", $4); print $4}' "$WORK/wrk-ka.out")
row "wrk" "$n" "$s" "$c"
c=$(cpu ab-ka ab -q -k -c "$CONNS" -t "$DURATION" -n 10000000 "$URL_K")
n=$(awk '/^Complete requests:/ {print $3}' "$WORK/ab-ka.out")
s=$(awk '/^Time taken for tests:/ {print $5}' "$WORK/ab-ka.out")
row "ab -k" "$n" "$s" "$c"
echo "caveat: skiff-load reaches nginx through net_af_packet (a kernel socket per"
echo "        burst) and busy-polls; wrk and ab use the kernel's TCP directly."
