#!/bin/bash
# test_report_golden.sh - tlsrpt-report on the generator's four demo scenarios, compared byte for byte
# with tests/analyzer/<scenario>.{txt,json}. The data is pinned: tlsrpt-gen --seed 1 --today
# 2026-10-15 writes reports for 2026-10-01..14, and tlsrpt-report --now 2026-10-15 (or TLSRPT_NOW)
# looks at the 14 days before it. After a deliberate change of the output or of the generator:
#   TLSRPT_UPDATE_GOLDEN=1 ctest -R report_golden   (then review the diff of tests/analyzer/)
. "$(dirname "$0")/lib.sh"

GOLDEN="$TLSRPT_SOURCE_DIR/tests/analyzer"
DB="$WORK/demo.db"
NOW=2026-10-15

"$GEN" --out "$WORK/gen" --scenarios --seed 1 --today "$NOW" --format json.gz >/dev/null ||
    { not_ok "tlsrpt-gen"; finish; exit 1; }
"$COLLECTOR" import --quiet --no-progress --db "$DB" "$WORK/gen/json.gz" >/dev/null ||
    { not_ok "tlsrpt-collector import"; finish; exit 1; }

# compare NAME FILE: the output against its golden file (or rewrite it in update mode).
compare() {
    if [ "${TLSRPT_UPDATE_GOLDEN:-0}" = 1 ]; then
        cp "$2" "$GOLDEN/$1" && ok "$1 updated"
    elif diff -u "$GOLDEN/$1" "$2" >"$WORK/diff"; then
        ok "$1 matches"
    else
        not_ok "$1 differs from tests/analyzer/$1"
        head -40 "$WORK/diff"
    fi
}

# scenario DOMAIN-LABEL EXPECTED-EXIT EXPECTED-VERDICT
scenario() {
    local name=$1 want_rc=$2 want_verdict=$3 rc
    NO_COLOR=1 "$REPORT" --db "$DB" --now "$NOW" --domain "$name.example" >"$WORK/$name.txt"
    rc=$?
    check "$name: exit status" "$want_rc" "$rc"
    compare "$name.txt" "$WORK/$name.txt"
    TLSRPT_NOW="$NOW" "$REPORT" --db "$DB" --domain "$name.example" --format json >"$WORK/$name.json"
    check "$name: exit status with TLSRPT_NOW" "$want_rc" "$?"
    compare "$name.json" "$WORK/$name.json"
    check "$name: verdict" "$want_verdict" \
        "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["domains"][0]["readiness"]["verdict"])' "$WORK/$name.json")"
}

scenario ready 0 ready
scenario broken-mx 1 not-ready
scenario sparse 2 insufficient-data
scenario enforcing 0 enforcing

# All four at once: the verdict lines come first, and the worst verdict sets the exit status.
NO_COLOR=1 "$REPORT" --db "$DB" --now "$NOW" >"$WORK/all.txt"
check "all domains: exit status (one not ready)" 1 "$?"
check "all domains: verdict lines first" \
    "broken-mx.example not-ready|enforcing.example enforcing|ready.example ready|sparse.example insufficient-data" \
    "$(awk 'NR > 3 && NF == 0 { exit } NR > 3 { printf "%s%s %s", sep, $1, $2; sep = "|" }' "$WORK/all.txt")"
"$REPORT" --db "$DB" --now "$NOW" --format csv >"$WORK/all.csv"
compare all.csv "$WORK/all.csv"
finish
