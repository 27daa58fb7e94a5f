#!/usr/bin/env bash
# README command (2): on a fresh Debian machine, installs what is missing, builds, and runs the whole
# test suite: the normal build (warnings are errors), the same suite under ASan+UBSan, the static
# checks, then a Release (-O3) compile, whose optimiser warns about things -O2 does not see.
# .ci/run runs exactly this script.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/scripts/setup.sh"
jobs=$(nproc)

echo "== build (RelWithDebInfo, -Werror) and test"
"$top/scripts/build.sh" "$top/build" RelWithDebInfo
ctest --test-dir "$top/build" --output-on-failure -j"$jobs" --timeout 600

echo "== build (ASan+UBSan) and test"
"$top/scripts/build.sh" "$top/build-asan" Asan
ctest --test-dir "$top/build-asan" --output-on-failure -j"$jobs" --timeout 900

echo "== static checks"
"$top/scripts/lint.sh"

echo "== build (Release, -O3, -Werror): compile only"
"$top/scripts/build.sh" "$top/build-release" Release
