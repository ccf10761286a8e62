#!/usr/bin/env bash
# skiff-load on a veth (af_packet) against real servers in a namespace.
#
#   load_test.sh SKIFF-LOAD SKIFF-HTTPD LAB-SH nginx|httpd|errors
#
#   nginx   Debian's nginx (kernel TCP) in the namespace: a cps run and an
#           rps run each complete exactly as many requests as nginx logged,
#           with no errors, JSON and PNG written; an open-loop run at
#           300 conn/s achieves the rate within 2%.
#   httpd   skiff-httpd on the host end, skiff-load in the namespace: a cps
#           and an rps run complete, together, as many requests as
#           skiff-httpd answered with 200, with no errors.
#   errors  each error kind from a real kernel peer: closed port ->
#           refused, nftables drop -> timeout, a server closing with
#           SO_LINGER 0 -> reset, a server answering garbage -> parse; each
#           run exits 3 under --max_errors=0.
set -euo pipefail
LOAD="$1"
HTTPD="$2"
LAB="$3"
MODE="$4"
case "$MODE" in
  nginx) SUBNET=10.89.120 ;;
  httpd) SUBNET=10.89.121 ;;
  errors) SUBNET=10.89.122 ;;
  *) echo "mode: nginx|httpd|errors"; exit 2 ;;
esac
TEST="load-$MODE" NS_PREFIX="skiff-t-ld$MODE" IF_PREFIX="sld${MODE:0:1}"
DIR=$(dirname "$0")
# shellcheck source=tests/interop/lib.sh
source "$DIR/lib.sh"
# shellcheck source=tests/interop/http_lib.sh
source "$DIR/http_lib.sh"
PY=/usr/bin/python3
http_lab_up

# json FILE KEY: a value from skiff-load's JSON ("errors.reset" for nested).
json() { "$PY" -c "import json,sys; d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split('.'): d=d[k]
print(d)" "$1" "$2"; }

# run_load NAME [ip netns exec NS] ARGS...: skiff-load in the foreground,
# bounded by `timeout`; output in $WORK/NAME.out, JSON in $WORK/NAME.json.
# Sets RC.
run_load() {
  local name=$1
  shift
  RC=0
  timeout -k 5 60 "$@" --json="$WORK/$name.json" >"$WORK/$name.out" 2>&1 || RC=$?
  log "$name: exit $RC; $(grep -E 'requests completed|connections/s|errors (refused|timeout|reset|parse|closed|other|bad_status) +[1-9]' "$WORK/$name.out" | tr -s ' ' | paste -sd';' -)"
  [[ -s "$WORK/$name.json" ]] || { cat "$WORK/$name.out"; fail "$name wrote no JSON"; }
}

# expect_clean NAME: no errors, exit 0.
expect_clean() {
  ((RC == 0)) || { cat "$WORK/$1.out"; fail "$1 exited $RC"; }
  (($(json "$WORK/$1.json" errors_total) == 0)) || { cat "$WORK/$1.out"; fail "$1 had errors"; }
}

if [[ "$MODE" == nginx ]]; then
  command -v nginx >/dev/null || { echo "SKIP: nginx is not installed (scripts/install-deps.sh)"; exit 77; }
  mkdir -p "$WORK/root" "$WORK/nginx"
  head -c 64 /dev/zero | tr '\0' 's' >"$WORK/root/page.html"
  chmod 755 "$WORK" "$WORK/root" "$WORK/nginx"
  chmod 644 "$WORK/root/page.html"
  touch "$WORK/nginx/access.log" && chmod 666 "$WORK/nginx/access.log"
  cat >"$WORK/nginx/nginx.conf" <<NGX
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log $WORK/nginx/access.log;
  keepalive_requests 1000000;
  server {
    listen $PEER_IP:8080 backlog=4096;
    root $WORK/root;
  }
}
NGX
  ip netns exec "$NS" nginx -c "$WORK/nginx/nginx.conf" &
  NGINX_PID=$!
  CLEANUP="kill $NGINX_PID 2>/dev/null || true; wait $NGINX_PID 2>/dev/null || true; $CLEANUP"
  for ((i = 0; i < 50; i++)); do
    in_ns curl -s -o /dev/null "http://$PEER_IP:8080/page.html" && break
    sleep 0.1
  done
  L=("$LOAD" "${EAL[@]}" --log-level=4 -- "--ip=$SKIFF_IP/24" --quiet)
  URL="http://$PEER_IP:8080/page.html"
  logged() { wc -l <"$WORK/nginx/access.log"; }
  # Lines reach the log when nginx writes them; give it a moment.
  settle_log() {
    local want=$1 i
    for ((i = 0; i < 30; i++)); do (($(logged) >= want)) && return; sleep 0.1; done
  }

  base=$(logged)
  run_load cps "${L[@]}" "$URL" --workload=cps --concurrency=8 --count=3000 \
    --plot="$WORK/cps.png"
  expect_clean cps
  done_cps=$(json "$WORK/cps.json" requests_completed)
  settle_log $((base + done_cps))
  ((done_cps == 3000 && $(logged) - base == done_cps)) ||
    fail "cps: skiff-load completed $done_cps, nginx logged $(($(logged) - base))"
  [[ -s "$WORK/cps.png" ]] || fail "cps: no plot"
  grep -q ' 200 ' "$WORK/nginx/access.log" || fail "nginx logged no 200"

  base=$(logged)
  run_load rps "${L[@]}" "$URL" --workload=rps --concurrency=16 --count=20000
  expect_clean rps
  done_rps=$(json "$WORK/rps.json" requests_completed)
  opened=$(json "$WORK/rps.json" conns_opened)
  settle_log $((base + done_rps))
  ((done_rps == 20000 && $(logged) - base == done_rps)) ||
    fail "rps: skiff-load completed $done_rps, nginx logged $(($(logged) - base))"
  ((opened == 16)) || fail "rps: $opened connections for 16 keep-alive ones"

  # Open loop well below capacity: the achieved rate within 2% of target.
  run_load pace "${L[@]}" "$URL" --workload=cps --rate=300 --duration_s=5
  expect_clean pace
  done_pace=$(json "$WORK/pace.json" requests_completed)
  "$PY" -c "import sys; a=$done_pace/5.0; sys.exit(0 if abs(a-300)/300 <= 0.02 else 1)" ||
    fail "pace: $done_pace in 5 s is not 300/s within 2%"
  log "pace: $done_pace requests in 5 s at a 300/s target"
  log "PASS"
  exit 0
fi

if [[ "$MODE" == httpd ]]; then
  start_httpd --port=8080
  # skiff-load in the namespace on the veth's other end, as .3 (the kernel
  # there owns .1 and ignores what is not addressed to it).
  L=(ip netns exec "$NS" "$LOAD" --no-huge -m 512 --no-pci --file-prefix "$FILE_PREFIX-l"
    "--vdev=net_af_packet1,iface=$PEER_IF" --log-level=4 -- "--ip=$SUBNET.3/24" --quiet)
  CLEANUP="rm -rf /var/run/dpdk/$FILE_PREFIX-l; $CLEANUP"
  URL="http://$SKIFF_IP:8080/"
  # Two busy-polling processes share the machine here: runs are bounded by
  # time, and what counts is that both sides agree.
  run_load cps "${L[@]}" "$URL" --workload=cps --concurrency=8 --duration_s=4 \
    --close=rst --plot="$WORK/cps.png"
  expect_clean cps
  [[ -s "$WORK/cps.png" ]] || fail "cps: no plot"
  run_load rps "${L[@]}" "$URL" --workload=rps --concurrency=16 --duration_s=4
  expect_clean rps
  done_cps=$(json "$WORK/cps.json" requests_completed)
  done_rps=$(json "$WORK/rps.json" requests_completed)
  done_all=$((done_cps + done_rps))
  stop_httpd_idle
  served=$(counter http_responses_200)
  ((done_cps > 0 && done_rps > 0 && served == done_all)) ||
    fail "skiff-load completed $done_all, skiff-httpd answered $served with 200"
  log "skiff-load completed $done_all = skiff-httpd's 200s"
  log "PASS"
  exit 0
fi

# errors: kernel servers in the namespace, one per kind.
cat >"$WORK/servers.py" <<'PYEOF'
import socket, struct, sys, threading
ip = sys.argv[1]
def serve(port, handler):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((ip, port)); s.listen(1024)
    def loop():
        while True:
            c, _ = s.accept()
            threading.Thread(target=handler, args=(c,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()
def reset(c):  # read the request, then close with SO_LINGER 0: a RST
    c.recv(4096)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    c.close()
def garbage(c):
    c.recv(4096)
    c.sendall(b'this is not HTTP\r\n\r\n')
    c.close()
serve(9002, reset)
serve(9003, garbage)
serve(9004, garbage)  # blackholed by nftables below
print('ready', flush=True)
threading.Event().wait()
PYEOF
ip netns exec "$NS" "$PY" "$WORK/servers.py" "$PEER_IP" >"$WORK/py.log" 2>&1 &
PY_PID=$!
CLEANUP="kill $PY_PID 2>/dev/null || true; wait $PY_PID 2>/dev/null || true; $CLEANUP"
for ((i = 0; i < 50; i++)); do grep -q ready "$WORK/py.log" && break; sleep 0.1; done
in_ns nft add table inet skiffldt
in_ns nft add chain inet skiffldt in '{ type filter hook input priority 0; }'
in_ns nft add rule inet skiffldt in tcp dport 9004 drop
L=("$LOAD" "${EAL[@]}" --log-level=4 -- "--ip=$SKIFF_IP/24" --quiet --max_errors=0
  --count=20 --concurrency=4 --timeout_ms=1000 --drain_ms=1500)
expect_kind() {  # name kind url
  run_load "$1" "${L[@]}" "$3"
  ((RC == 3)) || { cat "$WORK/$1.out"; fail "$1: exit $RC, want 3 (errors over --max_errors)"; }
  local n total
  n=$(json "$WORK/$1.json" "errors.$2")
  total=$(json "$WORK/$1.json" errors_total)
  ((n == 20 && total == 20)) || { cat "$WORK/$1.out"; fail "$1: $n $2 errors of $total, want 20 of 20"; }
}
expect_kind refused refused "http://$PEER_IP:9001/"
expect_kind timeout timeout "http://$PEER_IP:9004/"
expect_kind reset reset "http://$PEER_IP:9002/"
expect_kind parse parse "http://$PEER_IP:9003/"
log "PASS"
