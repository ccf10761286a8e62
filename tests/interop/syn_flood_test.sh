#!/usr/bin/env bash
# skiff-httpd keeps serving through a SYN flood (issue 8, RFC 4987): curl in
# the namespace asks for the page every 0.25 s, first with no flood, then
# while `hping3 --flood` sends SYNs for 10 s from a spoofed on-link address
# that never answers ARP. During the flood the success rate must stay at
# >= 90% of the flood-free one (SYN cookies answer once the SYN queue is
# full), a request must succeed within 1 s of the flood's end, and skiff's
# counters must show cookies sent and validated.
#
#   syn_flood_test.sh SKIFF-HTTPD LAB-SH
set -euo pipefail
HTTPD="$1"
LAB="$2"
TEST=syn-flood NS_PREFIX=skiff-t-synf IF_PREFIX=ssf SUBNET=10.89.71
DIR=$(dirname "$0")
# shellcheck source=tests/interop/lib.sh
source "$DIR/lib.sh"
# shellcheck source=tests/interop/http_lib.sh
source "$DIR/http_lib.sh"
command -v hping3 >/dev/null || {
  echo "SKIP: $TEST needs hping3 (scripts/install-deps.sh)"
  exit 77
}
http_lab_up

FLOOD_PID=""
kill_flood() {
  [[ -n "$FLOOD_PID" ]] || return 0
  kill -TERM "$FLOOD_PID" 2>/dev/null || true
  wait "$FLOOD_PID" 2>/dev/null || true
  FLOOD_PID=""
}
CLEANUP="kill_flood; $CLEANUP"

# shellcheck disable=SC2119  # the built-in page, default flags
start_httpd
URL="http://$SKIFF_IP/"
SPOOF="$SUBNET.77"  # on-link, nobody there: skiff's ARP requests go unanswered
FLOOD_SECONDS=10
# One attempt: connect and whole response within 2 s (room for one SYN
# retransmission by Linux after 1 s).
attempt() { in_ns curl -sf -o /dev/null --max-time 2 "$URL"; }

# probe SECONDS: one attempt every 0.25 s (plus its own duration) for
# SECONDS, or until the flood ends when SECONDS is "flood"; prints "ok tries".
probe() {
  local until ok=0 tries=0
  until=$(awk -v n="$EPOCHREALTIME" -v s="$1" 'BEGIN { printf "%.3f", n + s }')
  while true; do
    if [[ "$1" == flood ]]; then
      kill -0 "$FLOOD_PID" 2>/dev/null || break
    elif awk -v n="$EPOCHREALTIME" -v u="$until" 'BEGIN { exit !(n >= u) }'; then
      break
    fi
    tries=$((tries + 1))
    attempt && ok=$((ok + 1))
    sleep 0.25
  done
  echo "$ok $tries"
}

read -r base_ok base_tries < <(probe 5)
log "flood-free: $base_ok of $base_tries requests served"
((base_ok > 0)) || fail "no request served without a flood"

log "flood: hping3 -S -p 80 -a $SPOOF --flood $SKIFF_IP for ${FLOOD_SECONDS}s"
in_ns timeout "$FLOOD_SECONDS" hping3 -q -S -p 80 -a "$SPOOF" --flood "$SKIFF_IP" \
  >"$WORK/hping3.log" 2>&1 &
FLOOD_PID=$!
sleep 0.5  # let the SYN queue fill
read -r flood_ok flood_tries < <(probe flood)
flood_end=$EPOCHREALTIME
kill_flood
log "during the flood: $flood_ok of $flood_tries requests served"
log "hping3: $(tr -s '\n' ' ' <"$WORK/hping3.log" | cut -c1-200)"

# A request must succeed within 1 s of the flood's end.
recovered=""
while awk -v n="$EPOCHREALTIME" -v e="$flood_end" 'BEGIN { exit !(n - e < 1) }'; do
  if in_ns curl -sf -o /dev/null --max-time 1 "$URL"; then
    recovered=$(awk -v n="$EPOCHREALTIME" -v e="$flood_end" 'BEGIN { printf "%.2f", n - e }')
    break
  fi
done
[[ -n "$recovered" ]] || fail "no request served within 1 s after the flood"
log "first request after the flood served ${recovered}s after it ended"

stop_httpd_idle
log "counters: $(grep -E '^(tcp_syncookies_[a-z]+|drop_tcp_syn_queue_full|drop_tcp_accept_queue_full|drop_arp_[a-z_]+|arp_requests_out|tcp_passive_opens|tcp_connections) ' "$LOG" | tr -s ' ' | paste -sd, -)"
(($(counter tcp_syncookies_sent) > 0)) || fail "no SYN cookie sent"
(($(counter tcp_syncookies_validated) > 0)) || fail "no SYN cookie validated"
# >= 90% of the flood-free success rate: flood_ok/flood_tries >= 0.9 * base.
awk -v fo="$flood_ok" -v ft="$flood_tries" -v bo="$base_ok" -v bt="$base_tries" \
  'BEGIN { exit !(ft > 0 && fo * bt >= 0.9 * bo * ft) }' ||
  fail "during the flood $flood_ok/$flood_tries served, flood-free $base_ok/$base_tries (want >= 90% of it)"
log "PASS"
