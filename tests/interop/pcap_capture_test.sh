#!/usr/bin/env bash
# skiff-httpd --pcap=FILE serves one curl from the namespace; after SIGINT
# the capture, read back with `tcpdump -r`, holds the whole exchange from
# skiff's side: SYN, SYN-ACK, the GET, the HTTP response and both FINs.
#
#   pcap_capture_test.sh SKIFF-HTTPD LAB-SH
set -euo pipefail
HTTPD="$1"
LAB="$2"
TEST=pcap-capture NS_PREFIX=skiff-t-pcap IF_PREFIX=spc SUBNET=10.89.86
DIR=$(dirname "$0")
# shellcheck source=tests/interop/lib.sh
source "$DIR/lib.sh"
# shellcheck source=tests/interop/http_lib.sh
source "$DIR/http_lib.sh"
command -v tcpdump >/dev/null || {
  echo "SKIP: $TEST needs tcpdump"
  exit 77
}
http_lab_up

PCAP="$WORK/skiff.pcap"
start_httpd "--pcap=$PCAP"
body=$(in_ns curl -sS --max-time 10 "http://$SKIFF_IP/") || fail "curl: $body"
[[ -n "$body" ]] || fail "curl got an empty body"
log "curl fetched / (${#body} bytes)"
# Let the last ACK of the close reach skiff before it stops.
sleep 0.3

# Stop by PID with SIGINT (the operator's ^C): the capture is flushed at exit.
kill -INT "$SKIFF_PID"
for ((i = 0; i < 100; i++)); do
  kill -0 "$SKIFF_PID" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$SKIFF_PID" 2>/dev/null && fail "skiff-httpd ignored SIGINT for 10 s"
rc=0
wait "$SKIFF_PID" || rc=$?
SKIFF_PID=""
((rc == 0)) || fail "skiff-httpd exited with $rc"
summary=$(grep '^pcap: ' "$LOG") || fail "no 'pcap:' summary line"
log "$summary"
[[ "$summary" == *" 0 skipped"* ]] || fail "frames skipped: $summary"

out=$(tcpdump -r "$PCAP" -nn -tt 2>"$WORK/tcpdump.err") ||
  { cat "$WORK/tcpdump.err"; fail "tcpdump -r failed"; }
while IFS= read -r line; do echo "[$TEST]   $line"; done <<<"$out"
C="$PEER_IP\.[0-9]+"       # curl's side, any port
S="$SKIFF_IP\.80"          # skiff's side
expect_line() {  # DESCRIPTION REGEX
  grep -Eq "$2" <<<"$out" || fail "no $1 in the capture (want /$2/)"
  log "capture has the $1"
}
expect_line "SYN" "IP $C > $S: Flags \[S\],"
expect_line "SYN-ACK" "IP $S > $C: Flags \[S\.\],"
expect_line "GET request" "IP $C > $S: Flags \[P\.\],.*HTTP: GET / HTTP/1\.1"
expect_line "HTTP response" "IP $S > $C: Flags \[P?\.\],.*HTTP: HTTP/1\.1 200"
expect_line "client FIN" "IP $C > $S: Flags \[F\.\],"
expect_line "server FIN" "IP $S > $C: Flags \[F\.\],"
# The SYN comes first and the frames are in time order.
first=$(head -n1 <<<"$out")
[[ "$first" =~ IP\ $C\ \>\ $S:\ Flags\ \[S\], ]] ||
  [[ "$first" == *ARP* ]] || fail "first frame is neither ARP nor the SYN: $first"
sort -n -c -k1,1 <<<"$out" || fail "timestamps not in order"
# Unix time from the loop's clock: within a minute of now.
now=$(date +%s)
ts=$(awk 'NR==1 { split($1, a, "."); print a[1] }' <<<"$out")
((ts > now - 60 && ts <= now)) || fail "first timestamp $ts is not near now ($now)"
# skiff fills its own checksums when capturing: tcpdump -v finds none bad.
if tcpdump -r "$PCAP" -nn -v 2>/dev/null | grep -q 'incorrect'; then
  fail "the capture has frames with incorrect checksums"
fi
log "PASS"
