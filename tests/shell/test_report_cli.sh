#!/bin/bash
# test_report_cli.sh - tlsrpt-report as a postmaster meets it: --help, usage errors, exit statuses,
# --db and TLSRPT_DB, --now and TLSRPT_NOW, colour rules, the three formats.
. "$(dirname "$0")/lib.sh"

NOW=2026-10-15
DB="$WORK/demo.db"
"$GEN" --out "$WORK/gen" --scenarios --seed 1 --today "$NOW" --format json.gz >/dev/null &&
    "$COLLECTOR" import --quiet --no-progress --db "$DB" "$WORK/gen/json.gz" >/dev/null ||
    { not_ok "demo database"; finish; exit 1; }

# --help teaches: usage line, every option, the verdicts and the exit statuses; exit 0 on stdout.
help=$("$REPORT" --help)
check "--help exits 0" 0 "$?"
for word in "Usage: tlsrpt-report" --since --until --now --db --domain --format --color \
    --min-days --min-organizations --min-sessions --max-failure-rate --max-fetch-error-rate \
    --silent-days --top TLSRPT_DB TLSRPT_NOW NO_COLOR "Exit status" insufficient-data; do
    case "$help" in *"$word"*) ok "--help mentions $word" ;; *) not_ok "--help lacks $word" ;; esac
done
check "--help fits 100 columns" "" "$(printf '%s\n' "$help" | awk 'length($0) > 100')"

# Usage errors: status 3, a message naming the problem, nothing on stdout.
usage() {
    local out err rc
    out=$("$REPORT" --db "$DB" "$@" 2>"$WORK/err")
    rc=$?
    check "usage error ($*): status" 3 "$rc"
    check "usage error ($*): no output" "" "$out"
    grep -q "tlsrpt-report:" "$WORK/err" && ok "usage error ($*): says why" ||
        not_ok "usage error ($*): no message"
}
usage --bogus
usage --since 14x
usage --since 2026-02-30
usage --format xml
usage --color sometimes
usage --min-days -1
usage --max-failure-rate 2
usage --now 2026-10-15 --since 2026-10-10 --until 2026-10-09
usage stray-argument
usage --since

# Runtime errors: a missing database is status 4, not a crash and not "insufficient data".
"$REPORT" --db "$WORK/missing.db" --now "$NOW" >/dev/null 2>"$WORK/err"
check "missing database: status 4" 4 "$?"
grep -q "missing.db" "$WORK/err" && ok "missing database: named" || not_ok "missing database: not named"

# TLSRPT_DB stands for --db; TLSRPT_NOW for --now; --now wins over TLSRPT_NOW.
a=$("$REPORT" --db "$DB" --now "$NOW" --format csv)
b=$(TLSRPT_DB="$DB" TLSRPT_NOW="$NOW" "$REPORT" --format csv)
check "TLSRPT_DB and TLSRPT_NOW" "$a" "$b"
c=$(TLSRPT_DB="$DB" TLSRPT_NOW=2020-01-01 "$REPORT" --now "$NOW" --format csv)
check "--now wins over TLSRPT_NOW" "$a" "$c"
# A window without reports: every domain listed... none, so status 2.
TLSRPT_DB="$DB" "$REPORT" --now 2020-01-01 --format json >"$WORK/empty.json"
check "empty window: status 2" 2 "$?"
check "empty window: no domains" 0 \
    "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["domains"]))' "$WORK/empty.json")"

# Windows: --since with a date and --until exclude/include as documented ([since, until)).
n=$("$REPORT" --db "$DB" --now "$NOW" --since 2026-10-14 --domain sparse.example --format json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["domains"][0]["reports"])')
check "--since 2026-10-14 keeps the report of the 14th" 1 "$n"
n=$("$REPORT" --db "$DB" --now "$NOW" --since 2026-10-01 --until 2026-10-14 \
    --domain sparse.example --format json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["domains"][0]["reports"])')
check "--until 2026-10-14 drops the report of the 14th" 1 "$n"
n=$("$REPORT" --db "$DB" --now 2026-10-15T06:00:00Z --since 36h --domain sparse.example \
    --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["domains"][0]["reports"])')
check "--since 36h from 06:00 keeps only the 14th" 1 "$n"

# Thresholds change verdicts: sparse.example is ready when asked for very little evidence.
"$REPORT" --db "$DB" --now "$NOW" --domain sparse.example --min-days 2 --min-organizations 1 \
    --min-sessions 12 >/dev/null
check "relaxed thresholds: sparse.example ready (status 0)" 0 "$?"
"$REPORT" --db "$DB" --now "$NOW" --domain ready.example --max-fetch-error-rate 0 >/dev/null
check "--max-fetch-error-rate 0: one fetch error blocks (status 1)" 1 "$?"
"$REPORT" --db "$DB" --now "$NOW" --domain ready.example --max-failure-rate 0% >/dev/null
check "--max-failure-rate 0%: status 1" 1 "$?"

# Colour: never on a pipe by default; --color=always colours; NO_COLOR does not stop --color=always.
out=$("$REPORT" --db "$DB" --now "$NOW")
case "$out" in *$'\033'*) not_ok "no colour on a pipe" ;; *) ok "no colour on a pipe" ;; esac
out=$("$REPORT" --db "$DB" --now "$NOW" --color always)
case "$out" in *$'\033['*) ok "--color always" ;; *) not_ok "--color always" ;; esac
if command -v script >/dev/null; then
    script -qfec "NO_COLOR=1 $REPORT --db $DB --now $NOW" /dev/null >"$WORK/tty.txt" 2>&1
    grep -q $'\033\\[' "$WORK/tty.txt" && not_ok "NO_COLOR on a TTY" || ok "NO_COLOR on a TTY"
    script -qfec "env -u NO_COLOR TERM=xterm $REPORT --db $DB --now $NOW" /dev/null \
        >"$WORK/tty.txt" 2>&1
    grep -q $'\033\\[' "$WORK/tty.txt" && ok "colour on a TTY" || not_ok "colour on a TTY"
fi

# Text output stays within 100 columns.
check "text within 100 columns" "" \
    "$("$REPORT" --db "$DB" --now "$NOW" | python3 -c 'import sys
for l in sys.stdin:
    if len(l.rstrip("\n")) > 100: print(l)')"

# JSON is one valid document; CSV has the header and one row per domain and organization.
"$REPORT" --db "$DB" --now "$NOW" --format json | python3 -m json.tool >/dev/null
check "json parses" 0 "$?"
check "csv rows" 14 "$("$REPORT" --db "$DB" --now "$NOW" --format csv | wc -l)"
finish
