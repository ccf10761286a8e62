#!/usr/bin/env bash
# skiff-echo on 2 lcores (issue 10): a Stack and a listener per lcore on
# net_af_packet qpairs=2 (software dispatch, the kernel's fanout hash is
# not skiff's). 64 Linux connections from the namespace, each sending its
# own 20 KB and reading it back; every byte must come back exactly, both
# lcores must have accepted connections, and the summed "counters:" block
# must count every one of them. With --pcap=echo.pcap each lcore writes
# echo.lcoreK.pcap: each file holds exactly the SYNs of the connections its
# lcore accepted (tcpdump -r).
#
#   echo_lcores_test.sh SKIFF-ECHO LAB-SH
set -euo pipefail
ECHO="$1"
LAB="$2"
TEST=echo-lcores NS_PREFIX=skiff-t-elc IF_PREFIX=sec SUBNET=10.89.124
DIR=$(dirname "$0")
# shellcheck source=tests/interop/lib.sh
source "$DIR/lib.sh"
# shellcheck source=tests/interop/http_lib.sh
source "$DIR/http_lib.sh"
(($(nproc) >= 2)) || { echo "SKIP: needs 2 cores"; exit 77; }
http_lab_up
EAL=(--no-huge -m 1024 --no-pci --file-prefix "$FILE_PREFIX" -l 0-1 --log-level=4
  "--vdev=net_af_packet0,iface=$HOST_IF,qpairs=2")
start_skiff "$ECHO" "${EAL[@]}" -- "--ip=$SKIFF_IP/24" --port=7 --pcap="$WORK/echo.pcap"
for ((i = 0; i < 150; i++)); do
  grep -q '^skiff-echo: .*lcores 2$' "$LOG" 2>/dev/null && break
  kill -0 "$SKIFF_PID" 2>/dev/null || { cat "$LOG"; fail "skiff-echo exited"; }
  sleep 0.1
done
grep -q '^skiff-echo: .*lcores 2$' "$LOG" || { cat "$LOG"; fail "skiff-echo not up on 2 lcores"; }

CONNS=64
in_ns timeout 60 /usr/bin/python3 - "$SKIFF_IP" "$CONNS" <<'PY' || fail "echo clients failed"
import os, socket, sys
ip, n = sys.argv[1], int(sys.argv[2])
bad = 0
for i in range(n):
    data = os.urandom(20000)
    with socket.create_connection((ip, 7), timeout=5) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        got = b""
        while len(got) < len(data):
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
        if got != data:
            bad += 1
            print(f"connection {i}: {len(got)} of {len(data)} bytes, equal prefix: {got == data[:len(got)]}")
print(f"{n - bad} of {n} connections echoed exactly")
sys.exit(1 if bad else 0)
PY

kill -TERM "$SKIFF_PID"
for ((i = 0; i < 100; i++)); do
  kill -0 "$SKIFF_PID" 2>/dev/null || break
  sleep 0.1
done
rc=0
wait "$SKIFF_PID" || rc=$?
SKIFF_PID=""
cat "$LOG"
((rc == 0)) || fail "skiff-echo exited $rc"
grep -q '^counters:$' "$LOG" || fail "no counters: block"
passive=$(awk '$1 == "tcp_passive_opens" {print $2}' "$LOG")
((passive == CONNS)) || fail "summed tcp_passive_opens is ${passive:-none}, not $CONNS"
sum=0
for k in 0 1; do
  line=$(grep "^lcore $k: " "$LOG") || fail "no line for lcore $k"
  [[ "$line" =~ ^lcore\ $k:\ ([0-9]+)\ connections\ accepted$ ]] || fail "lcore $k: $line"
  ((BASH_REMATCH[1] > 0)) || fail "lcore $k accepted no connection"
  sum=$((sum + BASH_REMATCH[1]))
done
((sum == CONNS)) || fail "lcores accepted $sum, not $CONNS"

# --pcap on 2 lcores: a file per lcore, each with its own lcore's flows:
# as many client ports as that lcore accepted, none in both files.
if command -v tcpdump >/dev/null; then
  for k in 0 1; do
    f="$WORK/echo.lcore$k.pcap"
    [[ -s "$f" ]] || fail "no capture $f"
    grep -q "^pcap: $f: " "$LOG" || fail "no pcap: line for $f"
    tcpdump -nr "$f" 'tcp[tcpflags] == tcp-syn and dst port 7' 2>/dev/null |
      awk '{n = split($3, a, "."); print a[n]}' | sort -u >"$WORK/ports$k"
    acc=$(sed -n "s/^lcore $k: \([0-9]*\) connections accepted$/\1/p" "$LOG")
    ports=$(wc -l <"$WORK/ports$k")
    ((ports == acc)) || fail "lcore $k: SYNs from $ports ports in $f, $acc accepted"
    log "lcore $k: SYNs from $ports client ports captured, $acc accepted"
  done
  both=$(comm -12 "$WORK/ports0" "$WORK/ports1" | wc -l)
  ((both == 0)) || fail "$both client ports in both lcores' captures"
else
  log "tcpdump is not installed: captures not checked"
fi
log "PASS"
