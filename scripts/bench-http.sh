#!/usr/bin/env bash
# skiff-httpd against nginx, the way users run web servers: both serve the
# same small file over a veth into namespace skiff-bench-http, and wrk in
# that namespace loads each in turn, with keep-alive and with
# `Connection: close` (a new TCP connection per request).
#
#   sudo scripts/bench-http.sh [--duration=S] [--connections=C] [--no-build]
#
# Caveats, printed with the table: skiff reaches the wire through
# net_af_packet (a kernel socket per frame: the virtual NIC itself costs),
# while nginx is the kernel's own TCP on the veth; skiff-httpd busy-polls one
# core and nginx runs one worker; wrk shares the same two cores. So this
# measures the whole path on this machine, not the stacks alone (skiff-bench
# does that).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${SKIFF_BUILD_DIR:-build-release}
DURATION=10
CONNS=64
build=1
for a in "$@"; do
  case "$a" in
    --duration=*) DURATION=${a#*=} ;;
    --connections=*) CONNS=${a#*=} ;;
    --no-build) build=0 ;;
    *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
((EUID == 0)) || { echo "bench-http: needs root (namespaces, veth)" >&2; exit 1; }
command -v wrk >/dev/null && command -v nginx >/dev/null ||
  { echo "bench-http: wrk and nginx missing: scripts/install-deps.sh" >&2; exit 1; }

NS=skiff-bench-http
SK_IF=skbh0      # skiff's veth (af_packet), 10.93.0.2; peer 10.93.0.1 in NS
NG_IF=skbhn0     # nginx's veth, 10.94.0.2 on the host; peer 10.94.0.1 in NS
LAB=(scripts/lab.sh --ns "$NS" --host-if "$SK_IF" --peer-if "${SK_IF}p" --subnet 10.93.0)
WORK=$(mktemp -d /tmp/skiff-bench-http.XXXXXX)
SKIFF_PID="" NGINX_PID=""
cleanup() {
  trap - EXIT INT TERM
  [[ -n "$SKIFF_PID" ]] && kill -TERM "$SKIFF_PID" 2>/dev/null && wait "$SKIFF_PID" 2>/dev/null
  [[ -n "$NGINX_PID" ]] && kill -TERM "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  ip link del "$NG_IF" 2>/dev/null || true
  "${LAB[@]}" down >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

if ((build)); then
  [[ -f "$BUILD/build.ninja" ]] || meson setup "$BUILD" --buildtype=release -Dtests=false >/dev/null
  ninja -C "$BUILD" apps/skiff-httpd >/dev/null
fi

"${LAB[@]}" down >/dev/null 2>&1 || true
"${LAB[@]}" up >/dev/null
ip link del "$NG_IF" 2>/dev/null || true
ip link add "$NG_IF" type veth peer name "${NG_IF}p"
ip link set "${NG_IF}p" netns "$NS"
ip addr add 10.94.0.2/24 dev "$NG_IF"
ip link set "$NG_IF" up
ip netns exec "$NS" ip addr add 10.94.0.1/24 dev "${NG_IF}p"
ip netns exec "$NS" ip link set "${NG_IF}p" up
ethtool -K "$NG_IF" tx off rx off gso off tso off gro off >/dev/null 2>&1 || true
ip netns exec "$NS" ethtool -K "${NG_IF}p" tx off rx off gso off tso off gro off >/dev/null 2>&1 || true

# The same 64-byte page for both.
mkdir -p "$WORK/root" "$WORK/nginx"
head -c 64 /dev/zero | tr '\0' 's' >"$WORK/root/page.html"
chmod 755 "$WORK" "$WORK/root"; chmod 644 "$WORK/root/page.html"  # nginx workers run as www-data
cat >"$WORK/nginx/nginx.conf" <<NGX
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 10.94.0.2:8080 reuseport backlog=4096;
    root $WORK/root;
  }
}
NGX
nginx -c "$WORK/nginx/nginx.conf" &
NGINX_PID=$!

"$BUILD/apps/skiff-httpd" --vdev=net_af_packet0,iface=$SK_IF -l 1 -- \
  --ip=10.93.0.2/24 --port=8080 --root="$WORK/root" >"$WORK/skiff.log" 2>&1 &
SKIFF_PID=$!
for _ in $(seq 100); do grep -q "up:" "$WORK/skiff.log" && break; sleep 0.1; done
grep -q "up:" "$WORK/skiff.log" || { cat "$WORK/skiff.log"; exit 1; }
sleep 0.5

run_wrk() {  # name url [header]
  local out
  out=$(ip netns exec "$NS" taskset -c 0 wrk -t1 -c"$CONNS" -d"${DURATION}s" \
    ${3:+-H "$3"} "$2" 2>&1)
  local rps errs non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  errs=$(awk '/Socket errors/ {print $0}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  printf '%-28s %12s req/s  %s%s\n' "$1" "${rps:-?}" "${errs:+[$errs] }" "${non2xx:+[non-2xx $non2xx]}"
  echo "$rps" >"$WORK/$1.rps"
}

echo "bench-http: wrk -t1 -c$CONNS -d${DURATION}s from namespace $NS (pinned to core 0)"
echo "machine: $(lscpu | sed -n 's/Model name: *//p'), $(nproc) cores, kernel $(uname -r)"
run_wrk skiff-keepalive "http://10.93.0.2:8080/page.html"
run_wrk nginx-keepalive "http://10.94.0.2:8080/page.html"
run_wrk skiff-close "http://10.93.0.2:8080/page.html" "Connection: close"
run_wrk nginx-close "http://10.94.0.2:8080/page.html" "Connection: close"
for m in keepalive close; do
  s=$(cat "$WORK/skiff-$m.rps") n=$(cat "$WORK/nginx-$m.rps")
  printf 'ratio skiff/nginx %-10s %s\n' "$m" "$(echo "scale=2; $s / $n" | bc -l)"
done
echo "caveat: skiff goes through net_af_packet (a kernel socket per burst) on core 1;"
echo "        nginx is one worker on the kernel's own TCP; wrk shares the cores."
