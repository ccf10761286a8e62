#!/usr/bin/env bash
# Resource exhaustion: skiff-httpd with a tiny mbuf pool (--mbufs=1023) and
# a 256 KiB TCP buffer pool (16 chunks) under wrk -c128 for 5 s, fetching a
# 1 MiB file. skiff must drop and count (rx_nombuf, buffer-pool exhaustion),
# never crash or hang, and recover when the load stops: a curl afterwards
# succeeds, and the mbufs in use come back to their start value.
#
#   http_exhaust_test.sh SKIFF-HTTPD LAB-SH
set -euo pipefail
HTTPD="$1"
LAB="$2"
TEST=http-exhaust NS_PREFIX=skiff-t-hexh IF_PREFIX=sxh SUBNET=10.89.81
DIR=$(dirname "$0")
# shellcheck source=tests/interop/lib.sh
source "$DIR/lib.sh"
# shellcheck source=tests/interop/http_lib.sh
source "$DIR/http_lib.sh"
command -v wrk >/dev/null || { echo "FAIL: wrk is not installed (scripts/install-deps.sh)"; exit 1; }
http_lab_up
ROOT="$WORK/root"
mkdir -p "$ROOT"
echo "small page" >"$ROOT/index.html"
head -c $((1 << 20)) /dev/urandom >"$ROOT/big.bin"
start_httpd --root="$ROOT" --mbufs=1023 --buffer_pool_kb=256 --idle_timeout_ms=1000

in_ns curl -sf -m 5 -o /dev/null "http://$SKIFF_IP/" || fail "curl before the load failed"
start_mbufs=$(httpd_status mbufs_in_use)
log "before the load: $(grep '^status:' "$LOG" | tail -1)"

out=$(in_ns timeout 20 wrk -t2 -c128 -d5s --timeout 2s "http://$SKIFF_IP/big.bin" 2>&1) || true
echo "$out" | sed -n '/requests in/p;/Socket errors/p;/Requests\/sec/p'
kill -0 "$SKIFF_PID" 2>/dev/null || fail "skiff-httpd died under load"
log "right after the load: $(httpd_status mbufs_in_use >/dev/null; grep '^status:' "$LOG" | tail -1)"

# Recovery: the idle connections time out (1 s), buffers drain; a fresh
# request is served.
ok=0
for ((i = 0; i < 10; i++)); do
  if in_ns curl -sf -m 3 -o "$WORK/got" "http://$SKIFF_IP/big.bin"; then ok=1; break; fi
  sleep 0.5
done
((ok)) || fail "no curl succeeded within 5 s after the load"
cmp -s "$WORK/got" "$ROOT/big.bin" || fail "the 1 MiB file came back different"
log "curl after the load: 1 MiB byte-exact"

# mbufs in use back to the start value (mbufs in the pool's per-lcore
# cache count as free), no live connection, no buffer chunk held.
back=0
for ((i = 0; i < 50; i++)); do
  m=$(httpd_status mbufs_in_use)
  live=$(httpd_status live_connections)
  chunks=$(httpd_status buffer_chunks_in_use)
  if ((m <= start_mbufs && live == 0 && chunks == 0)); then back=1; break; fi
  sleep 0.2
done
((back)) || fail "not back after 10 s: $(grep '^status:' "$LOG" | tail -1) (start: mbufs $start_mbufs)"
log "recovered: $(grep '^status:' "$LOG" | tail -1) (start: mbufs $start_mbufs)"

exhausted=$(httpd_status buffer_pool_exhausted)
high=$(httpd_status buffer_chunks_high_water)
stop_httpd_idle
nombuf=$(sed -n 's/.* rx_nombuf \([0-9]*\).*/\1/p' "$LOG")
log "drops: rx_nombuf ${nombuf:-0}; $(grep -E '^drop_' "$LOG" | tr -s ' ' | paste -sd, -)"
log "buffer pool: high water $high of 16 chunks, Take() refused $exhausted times"
# The 16-chunk buffer pool must have run dry (else the test tested nothing).
((high == 16)) || fail "the buffer pool never ran out (high water $high of 16)"
log "PASS"
