# shellcheck shell=bash
# Shared by the interop tests (sourced, not run): start skiff-httpd against a
# Linux peer, ping it, stop it, and always clean up.
#
# A test sets TEST (a short unique name) and calls interop_init; everything it
# creates is named after TEST and removed by the EXIT trap, pass or fail.
# Exit codes: 0 pass, 1 fail, 77 skip (meson's convention).

interop_init() {
  WORK=$(mktemp -d "/tmp/skiff-$TEST.XXXXXX")
  LOG="$WORK/httpd.log"
  SKIFF_PID=""
  FILE_PREFIX="skiff-$TEST-$$"
  if ((EUID != 0)); then
    echo "SKIP: $TEST needs root (network namespaces)"
    exit 77
  fi
  trap interop_cleanup EXIT
  trap 'exit 1' INT TERM
}

log() { echo "[$TEST] $*"; }

# sweep_stale_labs NS_PREFIX IF_PREFIX: removes the labs ("NS_PREFIX-PID"
# namespaces, "IF_PREFIXPID" interfaces) of earlier runs whose process is gone
# (killed before its trap could run).
sweep_stale_labs() {
  local ns pid
  for ns in $(ip netns list | awk '{print $1}'); do
    [[ "$ns" =~ ^$1-([0-9]+)$ ]] || continue
    pid=${BASH_REMATCH[1]}
    kill -0 "$pid" 2>/dev/null && continue
    ip netns del "$ns" 2>/dev/null || true
    ip link del "$2$pid" 2>/dev/null || true
  done
}

fail() {
  echo "[$TEST] FAIL: $*"
  # Let skiff print its counters and port stats: they say where packets went.
  if [[ -n "$SKIFF_PID" ]] && kill -TERM "$SKIFF_PID" 2>/dev/null; then
    local i
    for ((i = 0; i < 30; i++)); do
      kill -0 "$SKIFF_PID" 2>/dev/null || break
      sleep 0.1
    done
  fi
  if [[ -s "$LOG" ]]; then
    echo "--- skiff-httpd output ---"
    cat "$LOG"
    echo "---"
  fi
  exit 1
}

# Runs at exit, pass or fail: stop skiff, then whatever teardown the test
# registered in CLEANUP (a command string), then our files.
interop_cleanup() {
  local rc=$?
  if [[ -n "$SKIFF_PID" ]] && kill -0 "$SKIFF_PID" 2>/dev/null; then
    kill -KILL "$SKIFF_PID" 2>/dev/null || true
    wait "$SKIFF_PID" 2>/dev/null || true
  fi
  [[ -n "${CLEANUP:-}" ]] && eval "$CLEANUP" >/dev/null 2>&1
  rm -rf "/var/run/dpdk/$FILE_PREFIX" "$WORK"
  exit "$rc"
}

# start_skiff [ip netns exec NS] HTTPD EAL-ARGS... -- APP-ARGS...
# Starts skiff-httpd in the background, output to $LOG; sets SKIFF_PID.
start_skiff() {
  log "starting: $*"
  "$@" >"$LOG" 2>&1 &
  SKIFF_PID=$!
}

# Waits until skiff-httpd printed its "up:" line; sets SKIFF_MAC.
wait_skiff_up() {
  local i
  for ((i = 0; i < 150; i++)); do
    if grep -q '^skiff-httpd: up:' "$LOG" 2>/dev/null; then
      SKIFF_MAC=$(sed -n 's/^skiff-httpd: up:.* mac \([0-9a-f:]\{17\}\).*/\1/p' "$LOG")
      [[ -n "$SKIFF_MAC" ]] || fail "no MAC in the startup line"
      log "skiff is up, MAC $SKIFF_MAC"
      return 0
    fi
    kill -0 "$SKIFF_PID" 2>/dev/null || fail "skiff-httpd exited during start-up"
    sleep 0.1
  done
  fail "skiff-httpd did not come up within 15 s"
}

# expect_pings NS ADDR COUNT PING-ARGS...: every echo request gets a reply.
expect_pings() {
  local ns="$1" addr="$2" count="$3"
  shift 3
  local out received
  out=$(ip netns exec "$ns" ping -n -c "$count" -W 2 "$@" "$addr" 2>&1) || true
  received=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' <<<"$out")
  if [[ "$received" != "$count" ]]; then
    echo "$out"
    fail "ping $* $addr: ${received:-0} of $count replies"
  fi
  log "ping -c $count $* $addr: $received/$count replies"
}

# expect_neigh NS ADDR MAC: the kernel learned skiff's MAC for ADDR.
expect_neigh() {
  local entry
  entry=$(ip netns exec "$1" ip neigh show "$2")
  [[ "$entry" == *"lladdr $3"* ]] ||
    fail "neighbour entry for $2 is '$entry', want lladdr $3"
  log "kernel neighbour entry: $entry"
}

# Stops skiff-httpd with SIGTERM: it must exit 0 and print its counters.
stop_skiff() {
  local rc=0 i
  kill -TERM "$SKIFF_PID"
  for ((i = 0; i < 100; i++)); do
    kill -0 "$SKIFF_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$SKIFF_PID" 2>/dev/null && fail "skiff-httpd ignored SIGTERM for 10 s"
  wait "$SKIFF_PID" || rc=$?
  SKIFF_PID=""
  ((rc == 0)) || fail "skiff-httpd exited with $rc"
  grep -q '^counters:' "$LOG" || fail "skiff-httpd printed no counters"
  grep -q '^port stats:' "$LOG" || fail "skiff-httpd printed no port stats"
  log "skiff-httpd exited 0; $(grep -E '^(icmp_out_echo_reps|drop_total) ' "$LOG" | tr -s ' ' | paste -sd, -)"
}

# counter NAME: its value in skiff's exit report (0 when absent: nonzero only).
counter() {
  local v
  v=$(awk -v n="$1" '$1 == n { print $2 }' "$LOG")
  echo "${v:-0}"
}

# Random packet loss of PERCENT in both directions inside namespace NS, done
# by the Linux kernel: tc netem when the kernel has it, else an nftables
# rule (`numgen random`) on the namespace's input and output hooks. Fails
# loudly when neither is available.
add_kernel_loss() {
  local ns=$1 dev=$2 percent=$3 err
  if err=$(ip netns exec "$ns" tc qdisc add dev "$dev" root netem loss "${percent}%" 2>&1); then
    log "loss: tc netem loss ${percent}% on $dev (egress of $ns)"
    return 0
  fi
  command -v nft >/dev/null || fail "no netem ($err) and no nft for loss"
  ip netns exec "$ns" nft -f - <<NFT || fail "nft loss rules refused"
table inet skiff_loss {
  chain in  { type filter hook input  priority 0; numgen random mod 100 < $percent counter drop; }
  chain out { type filter hook output priority 0; numgen random mod 100 < $percent counter drop; }
}
NFT
  log "loss: nftables drops ${percent}% of packets in and out of $ns (no netem in this kernel)"
}

# What the nftables loss rules dropped (packets), "in/out".
kernel_loss_counts() {
  ip netns exec "$1" nft list table inet skiff_loss 2>/dev/null |
    sed -n 's/.*counter packets \([0-9]*\).*/\1/p' | paste -sd/ -
}
