#!/usr/bin/env bash
# skiff-get against ports the namespace's firewall rejects with ICMP
# (nftables "reject with icmp type ..."): a hard error (port unreachable,
# administratively prohibited) fails the connect at once with a clear
# "unreachable" message (RFC 1122 §4.2.3.9), not after the SYN retries or
# the fetch timeout. A soft one (host unreachable) does not abort the
# connect (RFC 1122 §4.2.3.9 MUST NOT): the fetch times out.
#
#   get_unreachable_test.sh SKIFF-GET LAB-SH
set -euo pipefail
GET="$1"
LAB="$2"
TEST=get-unreach NS_PREFIX=skiff-t-gunr IF_PREFIX=sgu SUBNET=10.89.83
HTTPD=/bin/false  # lib.sh's names; this test runs skiff-get only
DIR=$(dirname "$0")
# shellcheck source=tests/interop/lib.sh
source "$DIR/lib.sh"
# shellcheck source=tests/interop/http_lib.sh
source "$DIR/http_lib.sh"
http_lab_up
command -v nft >/dev/null || {
  echo "SKIP: $TEST needs nft"
  exit 77
}
# The table lives in the namespace: it goes with it.
in_ns nft -f - <<NFT || fail "nft rules"
table inet skiff_unreach {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport 8001 reject with icmp type port-unreachable
    tcp dport 8002 reject with icmp type admin-prohibited
    tcp dport 8003 reject with icmp type host-unreachable
  }
}
NFT
G=("$GET" "${EAL[@]}" --log-level=4 -- "--ip=$SKIFF_IP/24")

# expect_fast_error WHAT PATTERN MAX_MS ARGS...: non-zero exit, PATTERN in
# the message, within MAX_MS (EAL start-up included).
expect_error() {
  local what="$1" pattern="$2" max_ms="$3" rc=0 t0 ms
  shift 3
  t0=$(date +%s%N)
  "${G[@]}" "$@" >/dev/null 2>"$WORK/err" || rc=$?
  ms=$((($(date +%s%N) - t0) / 1000000))
  ((rc != 0)) || fail "$what: exit 0"
  grep -q "$pattern" "$WORK/err" || { cat "$WORK/err"; fail "$what: no '$pattern' message"; }
  ((ms <= max_ms)) || fail "$what: took $ms ms (> $max_ms)"
  log "$what: exit $rc in $ms ms, $(grep '^skiff-get' "$WORK/err")"
}
# The fetch timeout is 8 s: finishing well before it means the ICMP error
# ended the connect.
expect_error "port unreachable" "unreachable" 4000 "http://$PEER_IP:8001/" --timeout_ms=8000
expect_error "admin prohibited" "unreachable" 4000 "http://$PEER_IP:8002/" --timeout_ms=8000
expect_error "host unreachable (soft)" "timeout" 6000 "http://$PEER_IP:8003/" --timeout_ms=2000
log "PASS"
