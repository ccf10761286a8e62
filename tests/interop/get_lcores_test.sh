#!/usr/bin/env bash
# skiff-get on 2 lcores against a Linux web server (issue 10): af_packet
# qpairs=2, 200 fetches split between the lcores, each lcore's connections
# from ports whose replies come back to it (software dispatch repairs the
# kernel's fanout). All 200 complete; no lcore got a RST.
#
#   get_lcores_test.sh SKIFF-GET LAB-SH
set -euo pipefail
GET="$1"
LAB="$2"
TEST=get-lcores NS_PREFIX=skiff-t-glc IF_PREFIX=sgc SUBNET=10.89.92
HTTPD=/bin/false  # lib.sh's names; this test runs skiff-get only
DIR=$(dirname "$0")
# shellcheck source=tests/interop/lib.sh
source "$DIR/lib.sh"
# shellcheck source=tests/interop/http_lib.sh
source "$DIR/http_lib.sh"
(($(nproc) >= 2)) || { echo "SKIP: needs 2 cores"; exit 77; }
http_lab_up
ROOT="$WORK/root"
mkdir -p "$ROOT"
echo "<h1>Linux says hello</h1>" >"$ROOT/index.html"
ip netns exec "$NS" /usr/bin/python3 -m http.server --bind "$PEER_IP" --directory "$ROOT" 8000 \
  >"$WORK/py.log" 2>&1 &
PY_PID=$!
CLEANUP="kill $PY_PID 2>/dev/null || true; wait $PY_PID 2>/dev/null || true; $CLEANUP"
for ((i = 0; i < 50; i++)); do
  in_ns /usr/bin/python3 -c "import socket; socket.create_connection(('$PEER_IP', 8000), 1)" 2>/dev/null && break
  sleep 0.1
done
EAL=(--no-huge -m 1024 --no-pci --file-prefix "$FILE_PREFIX" -l 0-1 --log-level=4
  "--vdev=net_af_packet0,iface=$HOST_IF,qpairs=2")
timeout 60 "$GET" "${EAL[@]}" -- "--ip=$SKIFF_IP/24" "http://$PEER_IP:8000/" \
  --count=200 --concurrency=4 >/dev/null 2>"$WORK/err" || { cat "$WORK/err"; fail "skiff-get --count=200 on 2 lcores"; }
cat "$WORK/err"
grep -q 'lcores 2$' "$WORK/err" || fail "not on 2 lcores"
grep -q '^skiff-get: 200 of 200 fetches' "$WORK/err" || fail "not all 200 fetches completed"
for k in 0 1; do
  line=$(grep "^lcore $k: " "$WORK/err") || fail "no line for lcore $k"
  [[ "$line" =~ resets_in\ 0$ ]] || fail "lcore $k was reset: $line"
done
# One summed counters: block: every fetch's SYN, over both lcores.
opens=$(awk '$1 == "tcp_active_opens" {print $2}' "$WORK/err")
((opens == 200)) || fail "summed tcp_active_opens ${opens:-none}, not 200"
log "PASS"
