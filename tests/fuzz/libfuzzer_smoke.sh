#!/usr/bin/env bash
# A short libFuzzer run of each HTTP parser target, as CI's smoke check that
# the fuzzers build and find nothing quickly. libFuzzer needs clang, so the
# targets get their own clang build directory next to the main one.
#
#   libfuzzer_smoke.sh SOURCE_DIR WORK_DIR [SECONDS]
set -euo pipefail
src=$1
work=$2
secs=${3:-15}

if ! command -v clang++ >/dev/null; then
  echo "libfuzzer_smoke: clang++ is not installed (scripts/install-deps.sh)" >&2
  exit 1
fi
build="$work/build-fuzz"
if [[ ! -f "$build/build.ninja" ]]; then
  CXX=clang++ meson setup "$build" "$src" -Dbench=false >"$work/fuzz-setup.log" 2>&1 ||
    { cat "$work/fuzz-setup.log"; exit 1; }
fi
ninja -C "$build" tests/fuzz/http_request_fuzz tests/fuzz/http_response_fuzz \
  >"$work/fuzz-build.log" 2>&1 || { tail -n 40 "$work/fuzz-build.log"; exit 1; }

for target in http_request http_response; do
  corpus=$(mktemp -d)
  cp "$src/tests/fuzz/corpus/$target/"* "$corpus/"
  echo "libfuzzer_smoke: $target for ${secs}s"
  # Exit status is non-zero on a crash, a leak or a timeout.
  "$build/tests/fuzz/${target}_fuzz" -max_total_time="$secs" -max_len=4096 \
    -timeout=5 -rss_limit_mb=1024 "$corpus" 2>"$work/$target-fuzz.log" ||
    { tail -n 40 "$work/$target-fuzz.log"; rm -rf "$corpus"; exit 1; }
  grep -E "^Done [0-9]+ runs" "$work/$target-fuzz.log" || true
  rm -rf "$corpus"
done
