#!/usr/bin/env bash
# Static checks on our own C code: clang-format (the checked-in .clang-format) and cppcheck.
# Exits non-zero on any finding.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mapfile -t files < <(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build*')
[ ${#files[@]} -gt 0 ] || exit 0
echo "lint: clang-format on ${#files[@]} files"
clang-format --dry-run --Werror "${files[@]}"
echo "lint: cppcheck"
incs=()
for d in common collector collector/parse collector/mail collector/http schema analyzer web checker tests; do
    [ -d "$d" ] && incs+=(-I "$d")
done
cppcheck --quiet --error-exitcode=1 --inline-suppr --enable=warning,style,performance,portability \
    --std=c11 -D__GNUC__ -DTLSRPT_VERSION='"lint"' --suppress=missingIncludeSystem \
    --suppress=unusedStructMember --suppress=constParameterCallback \
    "${incs[@]}" "${files[@]}"
echo "lint: clean"
