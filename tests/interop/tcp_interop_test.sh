#!/usr/bin/env bash
# skiff's TCP against the Linux kernel over the veth lab (net_af_packet):
# one connection moves 8 MiB each way at once, both sides compare what they
# got with what the other sent (sha256), in either close order.
#
#   tcp_interop_test.sh SKIFF-TCP-PEER LAB-SH ROLE CLOSE
#     ROLE  linux-client: Linux connects to a skiff server
#           skiff-client: skiff connects to a Linux server
#     CLOSE first: skiff sends its FIN first (Linux closes after EOF)
#           second: Linux sends its FIN first (skiff closes after EOF)
#           netem: like first, with the Linux kernel dropping 3% of packets
#                  each way (tc netem, or nftables on kernels without
#                  netem) and 5% of the frames skiff receives reordered
#                  (netem's reorder has no nftables twin)
#           skiff-faults: like first, with skiff's own fault injector (3%
#                  loss both ways, 5% of received frames reordered), for
#                  kernels without sch_netem
set -euo pipefail
PEER="$1"
LAB="$2"
ROLE="$3"
CLOSE="$4"
TEST="tcp-$ROLE-$CLOSE"
NS_PREFIX=skiff-t-tcp
IF_PREFIX=stc
SUBNET=10.89.60
NS="$NS_PREFIX-$$"
HOST_IF="$IF_PREFIX$$"
PEER_IF="${HOST_IF}p"
PORT=5001
BYTES=$((8 << 20))
# shellcheck source=tests/interop/lib.sh
source "$(dirname "$0")/lib.sh"
interop_init
LOG="$WORK/skiff.log"
LINUX_PID=""
sweep_stale_labs "$NS_PREFIX" "$IF_PREFIX"
LAB_ARGS=(--ns "$NS" --host-if "$HOST_IF" --peer-if "$PEER_IF" --subnet "$SUBNET")
CLEANUP="[[ -n \"\$LINUX_PID\" ]] && kill -KILL \$LINUX_PID; '$LAB' down ${LAB_ARGS[*]}"

skiff_close=first
linux_close=second
if [[ "$CLOSE" == second ]]; then
  skiff_close=second
  linux_close=first
fi

"$LAB" up "${LAB_ARGS[@]}" >/dev/null || fail "lab up"
if [[ "$CLOSE" == netem ]]; then
  add_kernel_loss "$NS" "$PEER_IF" 3
fi

head -c "$BYTES" /dev/urandom >"$WORK/to_linux"
head -c "$BYTES" /dev/urandom >"$WORK/to_skiff"

# The Linux side: one connection; a thread sends while the main thread reads
# to EOF. CLOSE=first: shut down the write side as soon as the data is out;
# second: only after the peer's EOF.
cat >"$WORK/linux_peer.py" <<'EOF'
import socket, sys, threading
mode, addr, port, send_path, recv_path, close = sys.argv[1:7]
data = open(send_path, "rb").read()
if mode == "server":
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(1)
    print("listening", flush=True)
    s, _ = ls.accept()
else:
    s = socket.create_connection((addr, int(port)), timeout=30)
s.settimeout(60)
got_eof = threading.Event()
def sender():
    s.sendall(data)
    if close == "first":
        s.shutdown(socket.SHUT_WR)
    else:
        got_eof.wait(60)
        s.shutdown(socket.SHUT_WR)
t = threading.Thread(target=sender)
t.start()
chunks = []
while True:
    b = s.recv(1 << 16)
    if not b:
        break
    chunks.append(b)
got_eof.set()
t.join(60)
s.close()
open(recv_path, "wb").write(b"".join(chunks))
print("linux peer done: received", sum(map(len, chunks)), flush=True)
EOF

# Waits until $LOG has skiff's "up:" line.
wait_peer_up() {
  local i
  for ((i = 0; i < 150; i++)); do
    grep -q '^skiff_tcp_peer: up:' "$LOG" 2>/dev/null && return 0
    kill -0 "$SKIFF_PID" 2>/dev/null || fail "skiff_tcp_peer exited during start-up"
    sleep 0.1
  done
  fail "skiff_tcp_peer did not come up within 15 s"
}

# Waits (bounded) for PID to exit; sets WAIT_RC.
wait_pid() {
  local pid="$1" what="$2" secs="$3" i
  for ((i = 0; i < secs * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && fail "$what still running after $secs s"
  WAIT_RC=0
  wait "$pid" || WAIT_RC=$?
}

EAL=(--no-huge -m 512 --no-pci --file-prefix "$FILE_PREFIX"
  "--vdev=net_af_packet0,iface=$HOST_IF")
FAULTS=()
[[ "$CLOSE" == skiff-faults ]] && FAULTS=(--fault_loss=0.03 --fault_reorder=0.05 --fault_seed=7)
[[ "$CLOSE" == netem ]] && FAULTS=(--fault_reorder=0.05 --fault_seed=7)
APP=("${FAULTS[@]}" --ip="$SUBNET.2/24" --send_file="$WORK/to_linux"
  --recv_file="$WORK/from_linux" --close="$skiff_close" --timeout_s=90)
PY=/usr/bin/python3
start=$(date +%s.%N)
if [[ "$ROLE" == linux-client ]]; then
  start_skiff "$PEER" "${EAL[@]}" -- "${APP[@]}" --mode=server --port=$PORT
  wait_peer_up
  ip netns exec "$NS" "$PY" "$WORK/linux_peer.py" client "$SUBNET.2" $PORT \
    "$WORK/to_skiff" "$WORK/got_linux" "$linux_close" >"$WORK/linux.log" 2>&1 &
  LINUX_PID=$!
else
  ip netns exec "$NS" "$PY" "$WORK/linux_peer.py" server "$SUBNET.1" $PORT \
    "$WORK/to_skiff" "$WORK/got_linux" "$linux_close" >"$WORK/linux.log" 2>&1 &
  LINUX_PID=$!
  for ((i = 0; i < 100; i++)); do
    grep -q listening "$WORK/linux.log" 2>/dev/null && break
    sleep 0.1
  done
  grep -q listening "$WORK/linux.log" || fail "the Linux server did not listen"
  start_skiff "$PEER" "${EAL[@]}" -- "${APP[@]}" --mode=client \
    --connect="$SUBNET.1:$PORT"
  wait_peer_up
fi

wait_pid "$LINUX_PID" "the Linux peer" 100
linux_rc=$WAIT_RC
LINUX_PID=""
wait_pid "$SKIFF_PID" "skiff_tcp_peer" 100
skiff_rc=$WAIT_RC
SKIFF_PID=""
elapsed=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "--- linux ---"; cat "$WORK/linux.log"
echo "--- skiff ---"; grep -E '^skiff_tcp_peer|^tcp_|^drop_' "$LOG" || true
((linux_rc == 0)) || fail "the Linux peer exited with $linux_rc"
((skiff_rc == 0)) || fail "skiff_tcp_peer exited with $skiff_rc"
# Linux -> skiff and skiff -> Linux, byte-exact.
want=$(sha256sum <"$WORK/to_skiff" | cut -d' ' -f1)
got=$(sha256sum <"$WORK/from_linux" | cut -d' ' -f1)
[[ "$want" == "$got" ]] ||
  fail "Linux -> skiff: sha256 $got ($(stat -c %s "$WORK/from_linux") bytes), want $want"
want=$(sha256sum <"$WORK/to_linux" | cut -d' ' -f1)
got=$(sha256sum <"$WORK/got_linux" | cut -d' ' -f1)
[[ "$want" == "$got" ]] ||
  fail "skiff -> Linux: sha256 $got ($(stat -c %s "$WORK/got_linux") bytes), want $want"
log "PASS: 8 MiB each way byte-exact in ${elapsed} s"
