#!/usr/bin/env bash
# skiff-load on 2 lcores against Debian's nginx in a namespace (issue 10):
# af_packet qpairs=2, each lcore its own Stack and engine with half of the
# run, its connections from ports whose replies come back to it (software
# dispatch repairs the kernel's fanout hash). The one merged report must
# count every requested connection completed with no error, nginx must
# have logged them all, and both lcores must have done work with no RST.
# Then SIGINT in the middle of a long run: every lcore stops and drains,
# and the merged report still has no error and matches nginx's log.
#
#   load_lcores_test.sh SKIFF-LOAD LAB-SH
set -euo pipefail
LOAD="$1"
LAB="$2"
TEST=load-lcores NS_PREFIX=skiff-t-llc IF_PREFIX=slc SUBNET=10.89.123
HTTPD=/bin/false  # lib.sh's names; this test runs skiff-load only
DIR=$(dirname "$0")
# shellcheck source=tests/interop/lib.sh
source "$DIR/lib.sh"
# shellcheck source=tests/interop/http_lib.sh
source "$DIR/http_lib.sh"
(($(nproc) >= 2)) || { echo "SKIP: needs 2 cores"; exit 77; }
command -v nginx >/dev/null || { echo "SKIP: nginx is not installed (scripts/install-deps.sh)"; exit 77; }
http_lab_up
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
base=$(wc -l <"$WORK/nginx/access.log")
COUNT=1001  # odd: the shares (501 + 500) must still add up
EAL=(--no-huge -m 1024 --no-pci --file-prefix "$FILE_PREFIX" -l 0-1 --log-level=4
  "--vdev=net_af_packet0,iface=$HOST_IF,qpairs=2")
RC=0
timeout -k 5 90 "$LOAD" "${EAL[@]}" -- "--ip=$SKIFF_IP/24" --quiet \
  "http://$PEER_IP:8080/page.html" --workload=cps --concurrency=8 --count=$COUNT \
  --max_errors=0 --json="$WORK/run.json" >"$WORK/out" 2>"$WORK/err" || RC=$?
cat "$WORK/out" "$WORK/err"
((RC == 0)) || fail "skiff-load on 2 lcores exited $RC"
grep -q 'lcores 2$' "$WORK/err" || fail "not on 2 lcores"
json() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$WORK/run.json" "$1"; }
(($(json requests_completed) == COUNT)) || fail "merged report: $(json requests_completed) of $COUNT completed"
(($(json errors_total) == 0)) || fail "merged report: $(json errors_total) errors"
grep -Eq "^  requests completed +$COUNT$" "$WORK/out" || fail "the table does not say $COUNT completed"
for ((i = 0; i < 30; i++)); do
  (($(wc -l <"$WORK/nginx/access.log") - base >= COUNT)) && break
  sleep 0.1
done
logged=$(($(wc -l <"$WORK/nginx/access.log") - base))
((logged == COUNT)) || fail "nginx logged $logged of $COUNT"
sum=0
for k in 0 1; do
  line=$(grep "^lcore $k: " "$WORK/err") || fail "no line for lcore $k"
  [[ "$line" =~ ^lcore\ $k:\ ([0-9]+)\ conns,\ ([0-9]+)\ requests\ completed,\ 0\ errors,\ tcp\ resets_in\ 0$ ]] ||
    fail "lcore $k: $line"
  ((BASH_REMATCH[1] > 0)) || fail "lcore $k opened no connection"
  sum=$((sum + BASH_REMATCH[2]))
done
((sum == COUNT)) || fail "per-lcore completions add up to $sum, not $COUNT"
# The stacks' counters summed over both lcores: one SYN per connection.
opens=$(awk '$1 == "tcp_active_opens" {print $2}' "$WORK/err")
((opens == COUNT)) || fail "summed tcp_active_opens ${opens:-none}, not $COUNT"

# SIGINT drains every lcore: a 60 s run interrupted 1.5 s after start-up.
# An lcore done early goes on receiving for the others (lcore_group.h).
# The drain (8 s, over when nothing is in flight) outlasts a request whose
# SYN was lost and resent (1 s + 2 s), as a frame or two can be on a loaded
# 2-core host, so every request in flight at the signal must complete.
base=$(wc -l <"$WORK/nginx/access.log")
timeout -k 12 30 "$LOAD" "${EAL[@]}" -- "--ip=$SKIFF_IP/24" --quiet \
  "http://$PEER_IP:8080/page.html" --workload=cps --concurrency=4 --duration_s=60 \
  --drain_ms=8000 --json="$WORK/int.json" >"$WORK/int.out" 2>"$WORK/int.err" &
LOAD_PID=$!
for ((i = 0; i < 100; i++)); do
  grep -q 'lcores 2$' "$WORK/int.err" 2>/dev/null && break
  sleep 0.1
done
sleep 1.5  # the run is under way on both lcores
kill -INT "$LOAD_PID"
RC=0
wait "$LOAD_PID" || RC=$?
cat "$WORK/int.out" "$WORK/int.err"
((RC == 0)) || fail "interrupted skiff-load exited $RC (124: it did not stop)"
done_int=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['requests_completed'])" "$WORK/int.json")
errs_int=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['errors_total'])" "$WORK/int.json")
((done_int > 0 && errs_int == 0)) || fail "interrupted run: $done_int completed, $errs_int errors"
for ((i = 0; i < 30; i++)); do
  (($(wc -l <"$WORK/nginx/access.log") - base >= done_int)) && break
  sleep 0.1
done
logged=$(($(wc -l <"$WORK/nginx/access.log") - base))
((logged == done_int)) || fail "interrupted run: completed $done_int, nginx logged $logged"
for k in 0 1; do
  line=$(grep "^lcore $k: " "$WORK/int.err") || fail "interrupted run: no line for lcore $k"
  [[ "$line" =~ ^lcore\ $k:\ ([0-9]+)\ conns,.*\ 0\ errors, ]] && ((BASH_REMATCH[1] > 0)) ||
    fail "interrupted run, lcore $k: $line"
done
# This second process reuses 4-tuples nginx still holds in TIME-WAIT from
# the first; with the host's secret (stack/sockets/host_secret.h) its SYNs
# carry higher ISNs and timestamps, so Linux lets every one in (RFC 6191):
# none is answered with the old connection's ACK (we would count it as a
# bad ACK, reset it and wait a second for the SYN to go again).
if grep -q '^drop_tcp_bad_ack ' "$WORK/int.err"; then
  fail "interrupted run: SYNs met TIME-WAIT ACKs ($(grep '^drop_tcp_bad_ack ' "$WORK/int.err"))"
fi
secs=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['seconds'])" "$WORK/int.json")
log "SIGINT after ${secs} s of run: $done_int completed on 2 lcores, 0 errors, nginx logged $logged"
log "PASS"
