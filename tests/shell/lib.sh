# lib.sh - helpers for the shell tests (sourced). Each test prints "ok - ..." / "not ok - ..." lines and
# ends with "N passed, N failed"; it exits non-zero when anything failed.
set -u
: "${TLSRPT_BUILD_DIR:?run through ctest}"
: "${TLSRPT_SOURCE_DIR:?run through ctest}"
COLLECTOR="$TLSRPT_BUILD_DIR/collector/tlsrpt-collector"
REPORT="$TLSRPT_BUILD_DIR/analyzer/tlsrpt-report"
GEN="$TLSRPT_BUILD_DIR/bench/tlsrpt-gen"
CORPUS="${TLSRPT_SHARED_DIR:-/nonexistent}/corpus/public"
T_PASS=0
T_FAIL=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tlsrpt-shell-XXXXXX")
trap 'rm -rf "$WORK"' EXIT

ok() { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
not_ok() { T_FAIL=$((T_FAIL + 1)); echo "not ok - $*"; }
# check DESCRIPTION EXPECTED ACTUAL
check() {
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected '$2', got '$3'"; fi
}
# sql DB QUERY: one value
sql() { sqlite3 -batch -noheader "$1" "$2" 2>&1 || echo "sql-error"; }
# json_get JSON KEY: an integer member of a flat JSON object
json_get() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
# lock_db DB SECONDS: another process holds BEGIN EXCLUSIVE on DB for SECONDS; prints "locked"
# once it has the lock. Use as: exec 3< <(lock_db "$DB" 9); read -r -t 10 line <&3
lock_db() {
    python3 -c '
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
c.execute("ROLLBACK")' "$1" "$2"
}
finish() {
    echo "$T_PASS passed, $T_FAIL failed"
    [ "$T_FAIL" -eq 0 ]
}
