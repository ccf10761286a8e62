#!/usr/bin/env bash
# Issue 9: every installed header (include/skiff/*.h) compiles alone in a
# C++20 translation unit whose only include path is include/: no DPDK, no
# Abseil, no header of the library's own tree. A header that pulls in
# rte_*.h (or absl/, stack/, drivers/) fails here.
#
#   public_headers_test.sh INCLUDE-DIR CXX
set -euo pipefail
INC=$(realpath "$1")
CXX=$2
WORK=$(mktemp -d /tmp/skiff-public-headers.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
n=0
for h in "$INC"/skiff/*.h; do
  name=skiff/$(basename "$h")
  printf '#include "%s"\n#include "%s"\nint main() { return 0; }\n' \
    "$name" "$name" >"$WORK/tu.cc"
  # -nostdinc++ is not used: the standard library is fine, nothing else.
  if ! "$CXX" -std=c++20 -Wall -Wextra -Wpedantic -Werror -fsyntax-only \
    -I"$INC" -H "$WORK/tu.cc" 2>"$WORK/err"; then
    cat "$WORK/err"
    echo "FAIL: $name does not compile alone with only include/"
    exit 1
  fi
  if grep -E '^\.+ .*(rte_|/dpdk/|/absl/)' "$WORK/err"; then
    echo "FAIL: $name pulls in DPDK or Abseil headers (above)"
    exit 1
  fi
  n=$((n + 1))
done
((n >= 7)) || { echo "FAIL: only $n public headers found"; exit 1; }
echo "PASS: $n public headers compile alone without DPDK or Abseil"
