#!/usr/bin/env bash
# A 64 MiB file from skiff-httpd to curl in the namespace, byte-exact
# (sha256), streamed from disk. With "loss", the Linux kernel drops 2% of the
# packets in each direction (netem, or nftables where the kernel has no
# netem): TCP must recover.
#
#   http_bigfile_test.sh SKIFF-HTTPD LAB-SH [loss]
set -euo pipefail
HTTPD="$1"
LAB="$2"
LOSS="${3:-}"
if [[ "$LOSS" == loss ]]; then
  TEST=http-big-loss NS_PREFIX=skiff-t-hbl IF_PREFIX=shl SUBNET=10.89.53
else
  TEST=http-big NS_PREFIX=skiff-t-hbig IF_PREFIX=shb SUBNET=10.89.52
fi
DIR=$(dirname "$0")
# shellcheck source=tests/interop/lib.sh
source "$DIR/lib.sh"
# shellcheck source=tests/interop/http_lib.sh
source "$DIR/http_lib.sh"
http_lab_up
if [[ "$LOSS" == loss ]]; then
  add_kernel_loss "$NS" "$PEER_IF" 2
fi
ROOT="$WORK/root"
mkdir -p "$ROOT"
head -c $((64 << 20)) /dev/urandom >"$ROOT/big.bin"
want=$(sha256sum "$ROOT/big.bin" | cut -d' ' -f1)
start_httpd "--root=$ROOT"
t0=$(date +%s.%N)
in_ns curl -sS --max-time 100 -o "$WORK/got.bin" "http://$SKIFF_IP/big.bin" || fail "curl failed"
t1=$(date +%s.%N)
got=$(sha256sum "$WORK/got.bin" | cut -d' ' -f1)
[[ "$got" == "$want" ]] || fail "sha256 $got, want $want ($(stat -c %s "$WORK/got.bin") bytes)"
secs=$(echo "$t1 - $t0" | bc -l)
log "$(printf '64 MiB byte-exact in %.2f s (%.0f MB/s)%s' "$secs" "$(echo "67.108864 / $secs" | bc -l)" "${LOSS:+ with 2% loss}")"
if [[ "$LOSS" == loss ]]; then
  log "kernel dropped (in/out): $(kernel_loss_counts "$NS")"
fi
stop_httpd_idle
log "tcp: $(grep -E '^tcp_(retransmits|fast_retransmits|rto_expirations) ' "$LOG" | tr -s ' ' | paste -sd, -)"
log "PASS"
