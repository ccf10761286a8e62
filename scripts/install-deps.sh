#!/usr/bin/env bash
# Installs every Debian 12 package skiff's build, tests and demo need.
#
#   scripts/install-deps.sh              install what is missing (as root)
#   scripts/install-deps.sh --check      exit 0 if nothing is missing, 1 if not
#   scripts/install-deps.sh --with-browser   also Chromium (~300 MB, for the
#                                            browser demo; not needed otherwise)
#   scripts/install-deps.sh --with-docs      also Doxygen (~20 MB, for the API
#                                            reference, scripts/docs.sh)
#
# Idempotent and quiet: `apt-get update` runs only when something is missing,
# and a run ends with one summary line. Safe to run twice.
set -euo pipefail

# What each group is for. Names checked with `apt-cache policy` on Debian 12.
BUILD=(meson ninja-build g++ pkg-config clang-format)
# Fuzz targets: clang with its libFuzzer/sanitizer runtime.
FUZZ=(clang libclang-rt-14-dev)
# DPDK and the poll-mode drivers skiff uses (dpdk only recommends the PMDs).
DPDK=(dpdk dpdk-dev libdpdk-dev pciutils librte-mempool-ring23
  librte-net-af-packet23 librte-net-tap23 librte-net-af-xdp23
  librte-net-ring23 librte-net-null23 librte-net-pcap23)
LIBS=(libabsl-dev libgtest-dev libgmock-dev googletest libbenchmark-dev)
# The lab and the interop tests (hping3: the SYN flood of
# tests/interop/syn_flood_test.sh).
LAB=(iproute2 iputils-ping ethtool tcpdump curl netcat-openbsd kmod procps nftables
  python3 hping3)
# The malformed-traffic interop test (tests/interop/malformed_gen.py), run
# with /usr/bin/python3.
LAB+=(python3-scapy)
# Benchmarks against Linux: a load generator and a reference web server.
BENCH=(wrk nginx python3-matplotlib)
# skiff-load's comparison (scripts/bench-load.sh): ab, beside wrk.
BENCH+=(apache2-utils)
# The browser interop test (tests/interop/browser_chromium_test.sh): ~300 MB.
BROWSER_TEST=(chromium bc)
# Browser demo only (opt-in: large).
BROWSER=(chromium)
# The API reference (scripts/docs.sh; opt-in: the tests do not need it).
DOCS=(doxygen)

check_only=0
packages=("${BUILD[@]}" "${FUZZ[@]}" "${DPDK[@]}" "${LIBS[@]}" "${LAB[@]}" "${BENCH[@]}"
  "${BROWSER_TEST[@]}")
for arg in "$@"; do
  case "$arg" in
    --check) check_only=1 ;;
    --with-browser) packages+=("${BROWSER[@]}") ;;
    --with-docs) packages+=("${DOCS[@]}") ;;
    -h | --help)
      sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "install-deps: unknown argument: $arg" >&2
      exit 2
      ;;
  esac
done

installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" == ii* ]]
}

missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done

if ((check_only)); then
  if ((${#missing[@]})); then
    echo "install-deps: missing: ${missing[*]}"
    exit 1
  fi
  exit 0
fi

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if ((EUID != 0)); then
  echo "install-deps: missing ${missing[*]}; run as root (sudo $0)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
log=$(mktemp /tmp/skiff-install-deps.XXXXXX.log)
trap 'rm -f "$log"' EXIT

# Installing nginx must not start a server on port 80 behind our back:
# policy-rc.d exit 101 tells Debian's maintainer scripts not to start services.
own_policy=0
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  own_policy=1
fi
cleanup_policy() { ((own_policy)) && rm -f /usr/sbin/policy-rc.d; return 0; }

if ! apt-get update -q >"$log" 2>&1 ||
  ! apt-get install -y -q \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}" >>"$log" 2>&1; then
  cleanup_policy
  tail -n 30 "$log" >&2
  echo "install-deps: FAILED installing: ${missing[*]}" >&2
  exit 1
fi
cleanup_policy

echo "install-deps: installed ${#missing[@]} (${missing[*]}), $((${#packages[@]} - ${#missing[@]})) already present"
