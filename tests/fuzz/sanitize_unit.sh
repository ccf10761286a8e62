#!/usr/bin/env bash
# CI's sanitizer step: builds the unit tests (suite 'unit', the corpus
# replays of the fuzz targets and random_segments_test included) with
# AddressSanitizer + UndefinedBehaviorSanitizer in a second build directory
# next to the main one, and runs them. Any sanitizer report fails the test:
# ASan and LeakSanitizer abort, and -fno-sanitize-recover=all makes every
# UBSan check fatal. DPDK's EAL runs under ASan as the tests start it
# (--no-huge, no PCI), leak checking on.
#
#   sanitize_unit.sh SOURCE_DIR WORK_DIR
set -euo pipefail
src=$1
work=$2
build="$work/build-asan"
opts=(-Dbench=false -Db_sanitize=address,undefined -Db_lundef=false
      -Dcpp_args=-fno-sanitize-recover=all)

start=$(date +%s)
if [[ -f "$build/build.ninja" ]]; then
  meson configure "$build" "${opts[@]}" >"$work/asan-setup.log" 2>&1 ||
    { cat "$work/asan-setup.log"; exit 1; }
else
  meson setup "$build" "$src" "${opts[@]}" >"$work/asan-setup.log" 2>&1 ||
    { cat "$work/asan-setup.log"; exit 1; }
fi
# Only what the unit suite runs (not the apps, benchmarks or fuzzers).
mapfile -t targets < <(meson introspect --tests "$build" | python3 -c '
import json, os, sys
build = os.path.realpath(sys.argv[1])
for t in json.load(sys.stdin):
    if "skiff:unit" in t["suite"] or "unit" in t["suite"]:
        exe = os.path.realpath(t["cmd"][0])
        # Only binaries this build makes (a unit test may be a script).
        if exe.startswith(build + os.sep):
            print(os.path.relpath(exe, build))
' "$build")
((${#targets[@]} > 0)) || { echo "sanitize: no unit tests found" >&2; exit 1; }
ninja -C "$build" "${targets[@]}" >"$work/asan-build.log" 2>&1 ||
  { grep -v '^\[' "$work/asan-build.log" | tail -n 60; exit 1; }
echo "sanitize: built ${#targets[@]} test binaries in $(($(date +%s) - start)) s"

export ASAN_OPTIONS=abort_on_error=1:halt_on_error=1:detect_leaks=1:print_summary=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1:print_summary=1
rc=0
meson test -C "$build" --no-rebuild --suite unit --print-errorlogs \
  --num-processes 2 --timeout-multiplier 5 || rc=$?
echo "sanitize: build and tests took $(($(date +%s) - start)) s"
exit $rc
