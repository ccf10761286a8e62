#!/usr/bin/env bash
# skiff-get against a Linux web server (python3 -m http.server) in the
# namespace: a page and a 4 MiB file byte-exact (also with --gro); --count
# repeats; a refused port and an unreachable address give clear errors and
# non-zero exit.
#
#   get_linux_test.sh SKIFF-GET LAB-SH
set -euo pipefail
GET="$1"
LAB="$2"
TEST=get-linux NS_PREFIX=skiff-t-get IF_PREFIX=sgl SUBNET=10.89.54
HTTPD=/bin/false  # lib.sh's names; this test runs skiff-get only
DIR=$(dirname "$0")
# shellcheck source=tests/interop/lib.sh
source "$DIR/lib.sh"
# shellcheck source=tests/interop/http_lib.sh
source "$DIR/http_lib.sh"
http_lab_up
ROOT="$WORK/root"
mkdir -p "$ROOT"
echo "<h1>Linux says hello</h1>" >"$ROOT/index.html"
head -c $((4 << 20)) /dev/urandom >"$ROOT/blob.bin"
# Not through in_ns (a function: $! would be a subshell, not python).
ip netns exec "$NS" /usr/bin/python3 -m http.server --bind "$PEER_IP" --directory "$ROOT" 8000 \
  >"$WORK/py.log" 2>&1 &
PY_PID=$!
CLEANUP="kill $PY_PID 2>/dev/null || true; wait $PY_PID 2>/dev/null || true; $CLEANUP"
for ((i = 0; i < 50; i++)); do
  in_ns /usr/bin/python3 -c "import socket; socket.create_connection(('$PEER_IP', 8000), 1)" 2>/dev/null && break
  sleep 0.1
done
G=("$GET" "${EAL[@]}" --log-level=4 -- "--ip=$SKIFF_IP/24")

"${G[@]}" "http://$PEER_IP:8000/" "--output=$WORK/index.out" 2>"$WORK/err" || { cat "$WORK/err"; fail "skiff-get /"; }
cmp -s "$ROOT/index.html" "$WORK/index.out" || fail "index.html differs"
log "page: $(grep '^skiff-get' "$WORK/err")"
"${G[@]}" "http://$PEER_IP:8000/blob.bin" "--output=$WORK/blob.out" 2>"$WORK/err" || { cat "$WORK/err"; fail "skiff-get blob"; }
[[ "$(sha256sum <"$ROOT/blob.bin")" == "$(sha256sum <"$WORK/blob.out")" ]] || fail "blob.bin differs"
log "4 MiB byte-exact: $(grep '^skiff-get' "$WORK/err")"
# The same with receive GRO: the kernel's segments merged before TCP input.
"${G[@]}" "http://$PEER_IP:8000/blob.bin" "--output=$WORK/blob-gro.out" --gro 2>"$WORK/err" || { cat "$WORK/err"; fail "skiff-get --gro blob"; }
[[ "$(sha256sum <"$ROOT/blob.bin")" == "$(sha256sum <"$WORK/blob-gro.out")" ]] || fail "blob.bin differs with --gro"
log "4 MiB byte-exact with --gro: $(grep '^skiff-get' "$WORK/err")"
"${G[@]}" "http://$PEER_IP:8000/" --count=50 --concurrency=2 >/dev/null 2>"$WORK/err" || { cat "$WORK/err"; fail "skiff-get --count"; }
log "$(grep '^skiff-get' "$WORK/err")"

expect_error() {
  local what="$1" pattern="$2" rc=0
  shift 2
  "${G[@]}" "$@" >/dev/null 2>"$WORK/err" || rc=$?
  ((rc != 0)) || fail "$what: exit 0"
  grep -q "$pattern" "$WORK/err" || { cat "$WORK/err"; fail "$what: no '$pattern' message"; }
  log "$what: exit $rc, $(grep '^skiff-get' "$WORK/err")"
}
expect_error "refused port" "connection refused" "http://$PEER_IP:8001/"
expect_error "unreachable address" "timeout" "http://$SUBNET.77/" --timeout_ms=2000
expect_error "host name" "no DNS resolver" "http://example.com/"
expect_error "404" "404" "http://$PEER_IP:8000/missing"
log "PASS"
