# shellcheck shell=bash
# Shared by the HTTP interop tests (sourced after lib.sh): one lab per test,
# skiff-httpd serving a document root, helpers to run things in the namespace.
#
# The test sets TEST, NS_PREFIX, IF_PREFIX, SUBNET, then calls http_lab_up.

# http_lab_up: the lab (namespace "$NS_PREFIX-$$"), torn down at exit.
http_lab_up() {
  NS="$NS_PREFIX-$$"
  HOST_IF="$IF_PREFIX$$"
  PEER_IF="${HOST_IF}p"
  SKIFF_IP="$SUBNET.2"
  PEER_IP="$SUBNET.1"
  interop_init
  sweep_stale_labs "$NS_PREFIX" "$IF_PREFIX"
  LAB_ARGS=(--ns "$NS" --host-if "$HOST_IF" --peer-if "$PEER_IF" --subnet "$SUBNET")
  CLEANUP="'$LAB' down ${LAB_ARGS[*]}"
  "$LAB" up "${LAB_ARGS[@]}" >/dev/null || fail "lab up"
  EAL=(--no-huge -m 1024 --no-pci --file-prefix "$FILE_PREFIX"
    "--vdev=net_af_packet0,iface=$HOST_IF")
}

# start_httpd APP-ARGS...: skiff-httpd on the lab, waits for its "up" line.
start_httpd() {
  start_skiff "$HTTPD" "${EAL[@]}" -- "--ip=$SKIFF_IP/24" "$@"
  wait_skiff_up
}

in_ns() { ip netns exec "$NS" "$@"; }

# stop_httpd_idle: SIGTERM; skiff-httpd exits 0 and reports no connection
# left to the application and its mbufs back to where they were at start.
stop_httpd_idle() {
  stop_skiff
  local line live in_use at_start
  line=$(grep '^live connections' "$LOG") || fail "no 'live connections' line"
  live=$(awk '{print $3}' <<<"$line")
  ((live == 0)) || fail "$live connections still open at exit: $line"
  line=$(grep '^mbufs in use' "$LOG") || fail "no 'mbufs in use' line"
  in_use=$(awk '{print $4}' <<<"$line")
  at_start=$(awk '{print $7}' <<<"$line")
  # The pool's per-lcore cache may hold a few more than at start.
  ((in_use <= at_start + 512)) || fail "mbufs leaked: $line"
  log "at exit: $(grep -E '^(live connections|mbufs in use)' "$LOG" | paste -sd';' -)"
  log "http: $(grep -E '^http_(requests|responses_[0-9]+|connections_accepted) ' "$LOG" | tr -s ' ' | paste -sd, -)"
}

# httpd_status FIELD: asks the running httpd (SIGUSR1) for its status line and
# prints FIELD's value.
httpd_status() {
  local before i line
  before=$(grep -c '^status:' "$LOG" || true)
  kill -USR1 "$SKIFF_PID" || fail "skiff-httpd is gone"
  for ((i = 0; i < 50; i++)); do
    (($(grep -c '^status:' "$LOG" || true) > before)) && break
    sleep 0.1
  done
  line=$(grep '^status:' "$LOG" | tail -1)
  [[ -n "$line" ]] || fail "no status line after SIGUSR1"
  awk -v f="$1" '{ for (i = 1; i < NF; i++) if ($i == f) print $(i + 1) }' <<<"$line"
}
