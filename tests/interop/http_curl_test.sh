#!/usr/bin/env bash
# skiff-httpd against curl and a raw client in a Linux namespace: keep-alive
# reuse, HEAD, 404, 405 with Allow, traversal attempts, malformed and
# oversized requests answered with the right status (and the server lives
# on), an idle connection timed out; then it stops with nothing left open.
#
#   http_curl_test.sh SKIFF-HTTPD LAB-SH
set -euo pipefail
HTTPD="$1"
LAB="$2"
TEST=http-curl NS_PREFIX=skiff-t-hcurl IF_PREFIX=shc SUBNET=10.89.50
DIR=$(dirname "$0")
# shellcheck source=tests/interop/lib.sh
source "$DIR/lib.sh"
# shellcheck source=tests/interop/http_lib.sh
source "$DIR/http_lib.sh"
http_lab_up

ROOT="$WORK/root"
mkdir -p "$ROOT/sub"
echo "hello from skiff" >"$ROOT/hello.txt"
echo "<p>sub</p>" >"$ROOT/sub/index.html"
echo "secret" >"$WORK/secret.txt"  # outside the root: must stay unreachable
start_httpd "--root=$ROOT" --idle_timeout_ms=1000
URL="http://$SKIFF_IP"
CURL=(in_ns curl -sS --max-time 10)

# Keep-alive: two URLs in one invocation share the connection.
out=$("${CURL[@]}" -v "$URL/hello.txt" "$URL/sub/" 2>&1) || fail "curl: $out"
grep -q 'Re-using existing connection' <<<"$out" || { echo "$out"; fail "curl did not re-use the connection"; }
grep -q 'hello from skiff' <<<"$out" || fail "first body missing"
grep -q '<p>sub</p>' <<<"$out" || fail "second body missing"
grep -qi '^< Date: ' <<<"$out" || fail "no Date header"
grep -qi '^< Server: ' <<<"$out" || fail "no Server header"
grep -qi '^< Content-Type: text/plain' <<<"$out" || fail "no Content-Type"
log "keep-alive: curl re-used the connection for the second URL"

status() { "${CURL[@]}" -o /dev/null -w '%{http_code}' "$@" || true; }
expect() {
  local want="$1" got
  shift
  got=$(status "$@")
  [[ "$got" == "$want" ]] || fail "curl $*: status $got, want $want"
  log "curl $*: $got"
}
expect 200 "$URL/hello.txt"
expect 200 -I "$URL/hello.txt"
len=$("${CURL[@]}" -I "$URL/hello.txt" | tr -d '\r' | awk -F': ' 'tolower($1)=="content-length"{print $2}')
[[ "$len" == 17 ]] || fail "HEAD Content-Length '$len', want 17"
expect 404 "$URL/nope.html"
expect 405 -X POST -d x "$URL/hello.txt"
allow=$("${CURL[@]}" -o /dev/null -D - -X DELETE "$URL/hello.txt" | tr -d '\r' | grep -i '^allow:' || true)
[[ "$allow" == *GET* && "$allow" == *HEAD* ]] || fail "405 without 'Allow: GET, HEAD' (got '$allow')"
log "405 carries '$allow'"
# Traversal: curl would normalise the path, --path-as-is keeps it.
for p in "/../secret.txt" "/sub/../../secret.txt" "/%2e%2e/secret.txt" \
  "/%2e%2e%2fsecret.txt" "/sub/%2E%2E/%2e%2e/secret.txt" "/..%2fsecret.txt"; do
  code=$(status --path-as-is "$URL$p")
  [[ "$code" =~ ^4[0-9][0-9]$ ]] || fail "traversal $p: status $code"
  body=$("${CURL[@]}" --path-as-is "$URL$p" || true)
  [[ "$body" != *secret* ]] || fail "traversal $p leaked the file"
  log "traversal $p: $code"
done

# Raw requests: python3 sends bytes and reads the status line.
raw() {
  in_ns /usr/bin/python3 - "$SKIFF_IP" "$1" <<'PY'
import socket, sys
s = socket.create_connection((sys.argv[1], 80), timeout=5)
s.sendall(eval(sys.argv[2]))
data = b""
try:
    while b"\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
except socket.timeout:
    pass
print(data.split(b"\r\n")[0].decode(errors="replace"))
PY
}
expect_raw() {
  local want="$1" req="$2" got
  got=$(raw "$req") || fail "raw client failed for $req"
  [[ "$got" == "HTTP/1.1 $want"* ]] || fail "raw ${req:0:60}: '$got', want $want"
  log "raw ${req:0:50}: $got"
}
expect_raw 400 'b"GARBAGE\r\n\r\n"'
expect_raw 400 'b"GET / HTTP/1.1\r\nBad Header\r\n\r\n"'
expect_raw 400 'b"GET / HTTP/1.1\nHost: x\n\n"'
expect_raw 505 'b"GET / HTTP/2.0\r\nHost: x\r\n\r\n"'
expect_raw 414 'b"GET /" + b"a" * 10000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"'
expect_raw 431 'b"GET / HTTP/1.1\r\n" + b"X-A: " + b"b" * 20000 + b"\r\n\r\n"'
expect_raw 431 'b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(100)) + b"\r\n"'
expect_raw 413 'b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n"'
expect_raw 400 'b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"'
expect_raw 200 'b"GET /hello.txt HTTP/1.0\r\n\r\n"'

# HTTP/1.0 without keep-alive: the server closes after the response.
out=$(in_ns /usr/bin/python3 - "$SKIFF_IP" <<'PY'
import socket, sys
s = socket.create_connection((sys.argv[1], 80), timeout=5)
s.sendall(b"GET /hello.txt HTTP/1.0\r\n\r\n")
data = b""
while True:
    c = s.recv(4096)
    if not c:
        break
    data += c
print("closed", len(data))
PY
) || fail "HTTP/1.0 close: $out"
log "HTTP/1.0: server $out"

# Pipelining: three requests in one write, three answers in order.
out=$(in_ns /usr/bin/python3 - "$SKIFF_IP" <<'PY'
import socket, sys
s = socket.create_connection((sys.argv[1], 80), timeout=5)
s.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n"
          b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
          b"HEAD /sub/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
data = b""
while True:
    c = s.recv(65536)
    if not c:
        break
    data += c
import re
print(" ".join(m.decode() for m in re.findall(rb"HTTP/1\.1 (\d{3}) ", data)))
PY
) || fail "pipelining: $out"
[[ "$out" == "200 404 200" ]] || fail "pipelined statuses '$out', want '200 404 200'"
log "pipelined: $out"

# An idle keep-alive connection is closed by the server (idle timeout 1 s).
out=$(in_ns /usr/bin/python3 - "$SKIFF_IP" <<'PY'
import socket, sys, time
s = socket.create_connection((sys.argv[1], 80), timeout=8)
t = time.monotonic()
s.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
while True:
    c = s.recv(4096)
    if not c:
        break
print("%.1f" % (time.monotonic() - t))
PY
) || fail "idle timeout: $out"
log "idle keep-alive connection closed by the server after ${out}s"
# A slow client that never finishes its request: 408 (request timeout 10 s
# default is long; it only must not take the server down). Still alive?
expect 200 "$URL/hello.txt"

stop_httpd_idle
((  $(counter http_responses_400) >= 4 )) || fail "fewer 400s counted than sent"
log "PASS"
