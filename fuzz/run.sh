#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each (default 600) with clang, ASan and UBSan, starting from
# the checked-in corpora; new inputs go to fuzz/out/<name>/, crashes to fuzz/crashes/<name>/.
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-600}
shift || true
build="$top/build-fuzz"
CC=clang cmake -S "$top" -B "$build" -DTLSRPT_FUZZ=ON -DTLSRPT_BUILD_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cd "$top/fuzz" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')
for t in "${targets[@]}"; do
    mkdir -p "$top/fuzz/out/$t" "$top/fuzz/crashes/$t"
    echo "== fuzz_$t for $secs s"
    "$build/fuzz/fuzz_$t" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$top/fuzz/crashes/$t/" "$top/fuzz/out/$t" "$top/fuzz/corpus/$t" 2>&1 |
        grep -E "^#[0-9]+ *DONE|Done [0-9]+ runs|ERROR|SUMMARY|cov:" | tail -n 3
done
