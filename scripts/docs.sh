#!/usr/bin/env bash
# Generates the API reference of libskiff (the public headers under
# include/skiff/) with Doxygen, as HTML in build/docs/html/.
#
#   scripts/docs.sh            build/docs/html/index.html
#   scripts/docs.sh --check    the same, and exit 1 if Doxygen warned
#                              (an undocumented public declaration, a bad tag)
#   SKIFF_DOCS_OUT=DIR scripts/docs.sh    another output directory
#
# Doxygen is not in the default dependencies (the test path does not need
# it): `sudo scripts/install-deps.sh --with-docs` installs it, and this
# script does so itself when run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "docs: unknown argument: $arg" >&2; exit 2 ;;
  esac
done
if ! command -v doxygen >/dev/null; then
  if ((EUID == 0)); then
    scripts/install-deps.sh --with-docs
  else
    echo "docs: doxygen is missing: sudo scripts/install-deps.sh --with-docs" >&2
    exit 1
  fi
fi
export SKIFF_SRC=$PWD
export SKIFF_DOCS_OUT=${SKIFF_DOCS_OUT:-$PWD/build/docs}
export SKIFF_VERSION=$(sed -n "s/^  version: '\(.*\)',/\1/p" meson.build)
mkdir -p "$SKIFF_DOCS_OUT"
rm -rf "$SKIFF_DOCS_OUT/html"
doxygen docs/Doxyfile
warnings=$(grep -c . "$SKIFF_DOCS_OUT/warnings.log" || true)
echo "docs: $SKIFF_DOCS_OUT/html/index.html ($(ls include/skiff/*.h | wc -l) headers, $warnings warning lines in $SKIFF_DOCS_OUT/warnings.log)"
if ((check && warnings > 0)); then
  cat "$SKIFF_DOCS_OUT/warnings.log"
  exit 1
fi
