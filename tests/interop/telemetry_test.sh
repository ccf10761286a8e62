#!/usr/bin/env bash
# DPDK telemetry of a running skiff-httpd (issue 13). While curl in the
# namespace downloads a file slowly (--limit-rate keeps its connection open):
#  * Debian's dpdk-telemetry.py, driven through stdin, returns /skiff/counters
#    (tcp_established and link_rx_packets moved) and /skiff/connections with
#    curl's connection ESTABLISHED under the exact 4-tuple the kernel reports
#    for curl (ss in the namespace); /skiff/listeners has port 80;
#  * skiff-stat prints the same connection ss-style, the counters nstat-style,
#    per-second rates with --watch, and says clearly when no skiff runs;
#  * --stats_interval prints its one-line summaries.
# EAL runs as the apps do in the labs: --no-huge -m 1024 --file-prefix.
#
#   telemetry_test.sh SKIFF-HTTPD LAB-SH SKIFF-STAT
set -euo pipefail
HTTPD="$1"
LAB="$2"
STAT="$3"
TEST=telemetry NS_PREFIX=skiff-t-tel IF_PREFIX=stl SUBNET=10.89.113
DIR=$(dirname "$0")
# shellcheck source=tests/interop/lib.sh
source "$DIR/lib.sh"
# shellcheck source=tests/interop/http_lib.sh
source "$DIR/http_lib.sh"
TELEMETRY_PY=$(command -v dpdk-telemetry.py || true)
[[ -n "$TELEMETRY_PY" ]] || {
  echo "SKIP: $TEST needs dpdk-telemetry.py (package dpdk-dev)"
  exit 77
}
PY=/usr/bin/python3
http_lab_up

ROOT="$WORK/root"
mkdir -p "$ROOT"
head -c $((8 << 20)) /dev/zero >"$ROOT/big.bin"
start_httpd "--root=$ROOT" --stats_interval=0.5

# curl holds one connection open for ~20 s (8 MiB at 400 KiB/s).
in_ns curl -sS --max-time 40 --limit-rate 400k -o /dev/null \
  "http://$SKIFF_IP/big.bin" >"$WORK/curl.log" 2>&1 &
CURL_PID=$!
CLEANUP="kill $CURL_PID 2>/dev/null || true; wait $CURL_PID 2>/dev/null || true; $CLEANUP"
CURL_END=""
for ((i = 0; i < 50; i++)); do
  CURL_END=$(in_ns ss -Htn state established "dst $SKIFF_IP:80" |
    awk '{ print $3 }' | head -n1)
  [[ -n "$CURL_END" ]] && break
  sleep 0.1
done
[[ -n "$CURL_END" ]] || fail "curl's connection never showed up in ss"
log "curl is connected from $CURL_END"

# dpdk-telemetry.py without a terminal: one JSON line per command.
"$TELEMETRY_PY" -f "$FILE_PREFIX" >"$WORK/tel.json" 2>"$WORK/tel.err" <<EOF ||
/skiff/stacks
/skiff/counters
/skiff/drops
/skiff/listeners
/skiff/connections
/skiff/arp
EOF
  { cat "$WORK/tel.err"; fail "dpdk-telemetry.py failed"; }
log "dpdk-telemetry.py answered $(wc -l <"$WORK/tel.json") commands"
"$PY" - "$WORK/tel.json" "$SKIFF_IP:80" "$CURL_END" "$PEER_IP" <<'EOF' ||
import json, sys
path, local, remote, peer_ip = sys.argv[1:]
replies = {}
for line in open(path):
    line = line.strip()
    if line:
        replies.update(json.loads(line))
def need(cond, what):
    if not cond:
        print("telemetry check failed:", what)
        print(json.dumps(replies, indent=1)[:4000])
        sys.exit(1)
need(set(replies) >= {"/skiff/stacks", "/skiff/counters", "/skiff/drops",
                      "/skiff/listeners", "/skiff/connections", "/skiff/arp"},
     "a reply per command")
need(replies["/skiff/stacks"]["count"] == 1, "one stack registered")
c = replies["/skiff/counters"]
need(c["lcores"] == 1 and c["tcp_established"] >= 1, "tcp_established >= 1")
need(c["link_rx_packets"] > 0 and c["tcp_bytes_out"] > 0, "traffic counted")
need(not any(k.startswith("drop_") for k in c), "drops kept apart")
d = replies["/skiff/drops"]
need("drop_total" in d and "drop_ip_bad_checksum" in d, "drop reasons")
l = replies["/skiff/listeners"]
need(l["port"] == [80] and l["backlog"][0] > 0, "listener on port 80")
conns = replies["/skiff/connections"]
cols = [k for k, x in conns.items() if isinstance(x, list)]
rows = [{k: conns[k][i] for k in cols} for i in range(len(conns["state"]))]
mine = [r for r in rows if r["local"] == local and r["remote"] == remote]
need(len(mine) == 1, f"one connection {local} <-> {remote}")
r = mine[0]
need(r["state"] == "ESTABLISHED", f"state {r['state']}")
need(r["cwnd"] > 0 and r["rto_us"] > 0 and r["mss"] > 0, "cwnd/rto/mss")
need(r["bytes_out"] > 0 and r["segs_in"] > 0, "bytes and segments")
need(conns["total"] >= 1 and conns["lcore"] == 0, "paging header")
arp = replies["/skiff/arp"]
need(peer_ip in arp["ip"], "the peer in the ARP table")
print(f"state {r['state']} cwnd {r['cwnd']} srtt_us {r['srtt_us']} "
      f"rto_us {r['rto_us']} in_flight {r['bytes_in_flight']} "
      f"send_queue {r['send_queue']}")
EOF
  fail "the telemetry JSON does not show curl's connection"
log "dpdk-telemetry.py: counters, drops, listeners, ARP, and curl's connection ESTABLISHED"

# skiff-stat: ss-style and nstat-style, and --watch rates.
out=$("$PY" "$STAT" -a -f "$FILE_PREFIX") || fail "skiff-stat: $out"
echo "$out" | sed "s/^/[$TEST]   /"
grep -Eq "^ESTAB +[0-9]+ +[0-9]+ +$SKIFF_IP:80 +$CURL_END\b" <<<"$out" ||
  fail "skiff-stat shows no ESTAB line for curl's connection"
grep -Eq "^LISTEN .*\*:80" <<<"$out" || fail "skiff-stat shows no listener"
grep -Eq "rto:[0-9.]+ .*cwnd:[0-9]+ .*bytes_sent:[1-9]" <<<"$out" ||
  fail "skiff-stat shows no TCP details"
out=$("$PY" "$STAT" counters -f "$FILE_PREFIX") || fail "skiff-stat counters"
grep -Eq "^tcp_established +[1-9]" <<<"$out" || fail "no tcp_established: $out"
# Pings while --watch runs (curl may pause: its rate limit lets the
# kernel's receive buffer fill, and then nothing moves for a while).
in_ns ping -n -q -c 12 -i 0.1 "$SKIFF_IP" >/dev/null 2>&1 &
PING_PID=$!
out=$("$PY" "$STAT" counters --watch 0.5 --count 2 -f "$FILE_PREFIX") ||
  fail "skiff-stat --watch"
wait "$PING_PID" || true
echo "$out" | head -n 6 | sed "s/^/[$TEST]   /"
grep -Eq "^icmp_in_echos +[1-9][0-9]* +[0-9.]+/s" <<<"$out" ||
  fail "--watch shows no rate for icmp_in_echos (pings were sent)"
log "skiff-stat: ESTAB line, listener, counters, --watch rates"

# No skiff: a clear error, exit 2.
rc=0
out=$(RUNTIME_DIRECTORY="$WORK/empty" "$PY" "$STAT" 2>&1) || rc=$?
((rc == 2)) && [[ "$out" == *"no running skiff process"* ]] ||
  fail "skiff-stat without skiff: rc $rc: $out"
log "skiff-stat without skiff: $out"

# --stats_interval=0.5: summary lines while curl downloads.
grep -q '^stats: ' "$LOG" || fail "no 'stats:' line"
# One while curl's connection was open and packets came in.
line=$(grep -E '^stats: [0-9.]+s conns/s [0-9]+ req/s [0-9]+ active [1-9][0-9]* rx_pps [1-9][0-9]* tx_pps [0-9]+ drops/s [0-9]+ retrans/s [0-9]+$' "$LOG" |
  tail -n1) || { grep '^stats: ' "$LOG"; fail "no stats line with traffic"; }
log "--stats_interval: $line"

kill "$CURL_PID" 2>/dev/null || true
wait "$CURL_PID" 2>/dev/null || true
sleep 0.3
stop_skiff
log "PASS"
