#!/usr/bin/env bash
# Builds skiff and runs the whole test suite (unit, simulation, interop).
#
#   sudo scripts/test.sh [meson test args]     e.g. --suite unit, or a test name
#
# Installs missing packages first (scripts/install-deps.sh), configures
# build/ (or reconfigures it), builds everything, runs `meson test`, and ends
# with one line of totals, `N passed, N failed` (`, N skipped` when some were),
# counted per test case (each GoogleTest case, each script test). Exits non-zero if a
# test failed, the build failed, or no test ran. Interop tests need root
# (network namespaces); without it they are skipped.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
BUILD=${SKIFF_BUILD_DIR:-build}
# Each test's timeout (meson's default 30 s, or what its meson.build sets)
# times this: room for a loaded 2-core machine.
TIMEOUT_MULTIPLIER=${SKIFF_TIMEOUT_MULTIPLIER:-3}

# The totals line for a run that never got to the tests.
abort() {
  echo "test: $*" >&2
  echo "0 passed, 1 failed"
  exit 1
}

if ((EUID == 0)); then
  scripts/install-deps.sh || abort "installing dependencies failed"
else
  scripts/install-deps.sh --check ||
    abort "dependencies missing: run as root (sudo $0) to install them"
fi

if [[ -f "$BUILD/build.ninja" ]]; then
  meson setup --reconfigure "$BUILD" >"$BUILD/setup.log" 2>&1 ||
    { cat "$BUILD/setup.log"; abort "meson setup --reconfigure failed"; }
else
  mkdir -p "$BUILD"
  meson setup "$BUILD" >"$BUILD.setup.log" 2>&1 ||
    { cat "$BUILD.setup.log"; rm -f "$BUILD.setup.log"; abort "meson setup failed"; }
  rm -f "$BUILD.setup.log"
fi
echo "test: building in $BUILD/"
ninja -C "$BUILD" >"$BUILD/build.log" 2>&1 ||
  { grep -v '^\[' "$BUILD/build.log" | tail -n 80; abort "build failed"; }

rm -f "$BUILD/meson-logs/testlog.json"
meson test -C "$BUILD" --no-rebuild --print-errorlogs --num-processes 2 \
  --timeout-multiplier "$TIMEOUT_MULTIPLIER" "$@"
meson_rc=$?

[[ -f "$BUILD/meson-logs/testlog.json" ]] ||
  abort "meson test wrote no testlog.json (exit $meson_rc)"

PY=/usr/bin/python3
[[ -x "$PY" ]] || PY=python3
summary=$("$PY" - "$BUILD/meson-logs/testlog.json" "$BUILD/meson-logs/testlog.junit.xml" <<'EOF'
# Counts test cases, not test binaries: every GoogleTest case (meson reads
# their XML into its JUnit log) and every script test once. gtest's
# DISABLED_ cases count as skipped, never as passed. A meson test that
# failed without a failing case (a crash, a timeout) counts as one failure.
import json, os, sys
import xml.etree.ElementTree as ET
failed_tests = set()
for line in open(sys.argv[1]):
    line = line.strip()
    if line:
        t = json.loads(line)
        if t.get("result", "ERROR") not in ("OK", "EXPECTEDFAIL", "SKIP"):
            failed_tests.add(t["name"])
passed = failed = skipped = 0
explained = set()
root = ET.parse(sys.argv[2]).getroot() if os.path.exists(sys.argv[2]) else None
for suite in (root.iter("testsuite") if root is not None else []):
    skipped += int(suite.get("disabled", 0) or 0)
    for case in suite.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
            for name in failed_tests:
                if name in suite.get("name", "") or name == case.get("name"):
                    explained.add(name)
        elif case.find("skipped") is not None or case.get("status") == "notrun":
            skipped += 1
        else:
            passed += 1
failed += len(failed_tests - explained)
s = f"{passed} passed, {failed} failed"
if skipped:
    s += f", {skipped} skipped"
print(s)
EOF
) || abort "could not read testlog.json"

failed=$(sed -n 's/^[0-9]* passed, \([0-9]*\) failed.*/\1/p' <<<"$summary")
passed=${summary%% passed*}
if ((meson_rc != 0 && failed == 0)); then
  echo "test: meson test exited $meson_rc" >&2
fi
echo
echo "$summary"
if ((failed > 0 || meson_rc != 0)); then
  exit 1
fi
if ((passed == 0)); then
  exit 1  # a suite that runs nothing is broken, not green
fi
exit 0
