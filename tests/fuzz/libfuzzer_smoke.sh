#!/usr/bin/env bash
# CI's bounded libFuzzer run: each fuzz target for SECONDS (4 targets, so
# 4 × SECONDS of fuzzing), starting from its checked-in corpus. libFuzzer
# needs clang, so the targets get their own clang build directory next to
# the main one, with every library instrumented for coverage and built
# with ASan + UBSan (any UBSan report is fatal).
#
#   libfuzzer_smoke.sh SOURCE_DIR WORK_DIR [SECONDS]
set -euo pipefail
src=$1
work=$2
secs=${3:-15}
# target:max_len
targets=(http_request:4096 http_response:4096 stack:4096 tcp_parts:1024)

if ! command -v clang++ >/dev/null; then
  echo "libfuzzer_smoke: clang++ is not installed (scripts/install-deps.sh)" >&2
  exit 1
fi
build="$work/build-fuzz"
opts=(-Dbench=false -Db_sanitize=address,undefined -Db_lundef=false
      "-Dcpp_args=-fsanitize=fuzzer-no-link -fno-sanitize-recover=all")
if [[ -f "$build/build.ninja" ]]; then
  meson configure "$build" "${opts[@]}" >"$work/fuzz-setup.log" 2>&1 ||
    { cat "$work/fuzz-setup.log"; exit 1; }
else
  CXX=clang++ meson setup "$build" "$src" "${opts[@]}" \
    >"$work/fuzz-setup.log" 2>&1 || { cat "$work/fuzz-setup.log"; exit 1; }
fi
ninja -C "$build" $(printf 'tests/fuzz/%s_fuzz ' "${targets[@]%%:*}") \
  >"$work/fuzz-build.log" 2>&1 || { tail -n 40 "$work/fuzz-build.log"; exit 1; }

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
for spec in "${targets[@]}"; do
  target=${spec%%:*}
  max_len=${spec##*:}
  corpus=$(mktemp -d)
  cp "$src/tests/fuzz/corpus/$target/"* "$corpus/"
  echo "libfuzzer_smoke: $target for ${secs}s"
  # Exit status is non-zero on a crash, a leak, a timeout or a failed
  # invariant; the input that did it is left in $work.
  "$build/tests/fuzz/${target}_fuzz" -max_total_time="$secs" \
    -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$work/$target-" "$corpus" \
    2>"$work/$target-fuzz.log" ||
    { tail -n 60 "$work/$target-fuzz.log"; rm -rf "$corpus"; exit 1; }
  grep -E "^Done [0-9]+ runs" "$work/$target-fuzz.log" || true
  rm -rf "$corpus"
done
