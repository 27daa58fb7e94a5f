#!/usr/bin/env bash
# Configures and builds into BUILD_DIR (default ./build) with warnings as errors.
# Usage: scripts/build.sh [BUILD_DIR] [CMAKE_BUILD_TYPE]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$top/build}
type=${2:-RelWithDebInfo}
cmake -S "$top" -B "$dir" -DCMAKE_BUILD_TYPE="$type" -DTLSRPT_WERROR=ON >/dev/null
cmake --build "$dir" -j"$(nproc)"
