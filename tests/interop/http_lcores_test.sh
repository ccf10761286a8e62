#!/usr/bin/env bash
# skiff-httpd on 2 lcores (issue 10): one Stack per lcore on the two queue
# pairs of net_af_packet qpairs=2, whose fanout hash is the kernel's, not
# skiff's, so software dispatch hands each lcore its flows (and every ARP).
# 200 curl connections and a short wrk run from the Linux namespace: all 200,
# no socket error, no non-2xx; both lcores served; then a clean stop.
# Observability on both lcores: --stats_interval lines summed over them,
# DPDK telemetry listing both stacks and answering per lcore and summed
# (dpdk-telemetry.py), and SIGUSR1 printing each lcore's status and the sum.
#
#   http_lcores_test.sh SKIFF-HTTPD LAB-SH
set -euo pipefail
HTTPD="$1"
LAB="$2"
TEST=http-lcores NS_PREFIX=skiff-t-hlc IF_PREFIX=shl SUBNET=10.89.90
DIR=$(dirname "$0")
# shellcheck source=tests/interop/lib.sh
source "$DIR/lib.sh"
# shellcheck source=tests/interop/http_lib.sh
source "$DIR/http_lib.sh"
command -v wrk >/dev/null || { echo "FAIL: wrk is not installed (scripts/install-deps.sh)"; exit 1; }
(($(nproc) >= 2)) || { echo "SKIP: needs 2 cores"; exit 77; }
http_lab_up
EAL=(--no-huge -m 1024 --no-pci --file-prefix "$FILE_PREFIX" -l 0-1
  "--vdev=net_af_packet0,iface=$HOST_IF,qpairs=2")
start_httpd --stats_interval=0.5
grep -q '^skiff-httpd: up:.*queues 2 rss software.*lcores 2$' "$LOG" ||
  fail "not up on 2 lcores with software dispatch: $(grep '^skiff-httpd: up:' "$LOG")"

URL="http://$SKIFF_IP/"
ok=0
for ((i = 0; i < 200; i++)); do
  code=$(in_ns curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "$URL" || true)
  [[ "$code" == 200 ]] && ok=$((ok + 1))
done
((ok == 200)) || fail "curl: $ok of 200 connections answered 200"
log "curl: 200 of 200 connections answered 200"

out=$(in_ns timeout 20 wrk -t1 -c16 -d3s "$URL" 2>&1) || { echo "$out"; fail "wrk failed"; }
echo "$out"
grep -q 'Socket errors' <<<"$out" && fail "wrk reported socket errors"
grep -q 'Non-2xx or 3xx responses' <<<"$out" && fail "wrk saw non-2xx/3xx responses"
reqs=$(awk '/requests in/ {print $1}' <<<"$out")
((${reqs:-0} > 0)) || fail "wrk completed no request"
log "wrk -t1 -c16 -d3s: $reqs requests, no errors"

# --stats_interval: one summed line per interval; one saw wrk's requests.
line=$(grep -E '^stats: [0-9.]+s conns/s [0-9]+ req/s [1-9][0-9]* active [0-9]+ rx_pps [1-9][0-9]* ' "$LOG" |
  tail -n1) || { grep '^stats: ' "$LOG"; fail "no stats line with requests"; }
log "--stats_interval: $line"

# SIGUSR1: a line per lcore, then the summed line in the one-lcore shape.
live=$(httpd_status live_connections)
[[ "$live" =~ ^[0-9]+$ ]] || fail "status line without live_connections"
for k in 0 1; do
  grep -q "^status lcore $k: live_connections [0-9]* tcp_connections " "$LOG" ||
    fail "no status line for lcore $k: $(grep '^status' "$LOG")"
done
log "SIGUSR1: $(grep '^status' "$LOG" | tail -3 | paste -sd';' -)"

# DPDK telemetry: both stacks registered, counters per lcore and summed.
TELEMETRY_PY=$(command -v dpdk-telemetry.py || true)
if [[ -z "$TELEMETRY_PY" ]]; then
  log "telemetry not checked: no dpdk-telemetry.py (package dpdk-dev)"
else
  "$TELEMETRY_PY" -f "$FILE_PREFIX" >"$WORK/tel.json" 2>"$WORK/tel.err" <<EOF ||
/skiff/stacks
/skiff/counters
/skiff/counters,0
/skiff/counters,1
/skiff/listeners,1
EOF
    { cat "$WORK/tel.err"; fail "dpdk-telemetry.py failed"; }
  cat >"$WORK/tel_check.py" <<'EOF'
import json, sys
replies = []
for line in open(sys.argv[1]):
    if line.strip():
        replies.append(json.loads(line))
def need(cond, what):
    if not cond:
        print("telemetry check failed:", what)
        print(json.dumps(replies, indent=1)[:4000])
        sys.exit(1)
need(len(replies) == 5, "a reply per command")
stacks, total, c0, c1, lst = (list(r.values())[0] for r in replies)
need(stacks["count"] == 2 and stacks["lcores"] == [0, 1], "stacks on lcores 0, 1")
need(total["lcores"] == 2 and c0["lcores"] == 1 and c1["lcores"] == 1,
     "summed over 2 lcores, one each")
for k, c in enumerate((c0, c1)):
    need(c["tcp_passive_opens"] > 0, "lcore %d accepted nothing" % k)
need(total["tcp_passive_opens"] == c0["tcp_passive_opens"] + c1["tcp_passive_opens"],
     "summed tcp_passive_opens is the lcores' sum")
need(lst.get("lcore") == 1 and 80 in lst.get("port", []), "lcore 1 listens on 80")
print("stacks %s, tcp_passive_opens %d = %d + %d" % (
    stacks["lcores"], total["tcp_passive_opens"], c0["tcp_passive_opens"],
    c1["tcp_passive_opens"]))
EOF
  out=$(/usr/bin/python3 "$WORK/tel_check.py" "$WORK/tel.json") ||
    { echo "$out"; fail "telemetry on 2 lcores"; }
  log "telemetry: $out"
fi

stop_httpd_idle
grep '^lcore [01] dispatch:' "$LOG" || fail "no dispatch lines"
# One summed "counters:" block, then a line per lcore: each lcore served,
# and the sum is what the lcores' lines add up to.
mapfile -t accepted < <(sed -n 's/^lcore [01]: http_connections_accepted \([0-9]*\) .*/\1/p' "$LOG")
((${#accepted[@]} == 2)) || fail "want 2 lcores' accept counts, got ${#accepted[*]}"
((accepted[0] > 0 && accepted[1] > 0)) ||
  fail "an lcore served nothing: accepted ${accepted[*]}"
total=$(awk '$1 == "http_connections_accepted" {print $2}' "$LOG")
((total == accepted[0] + accepted[1])) ||
  fail "summed http_connections_accepted ${total:-none} != ${accepted[0]} + ${accepted[1]}"
log "accepted per lcore: ${accepted[*]}"
log "PASS"
