#!/usr/bin/env bash
# End-to-end: tlsrpt-collector import and reprocess on the project's golden inputs and on the public
# corpus: counts, idempotence (a second import changes no totals), rejects kept with raw bytes and a
# path-qualified reason, inputs left untouched, exit statuses.
. "$(dirname "$0")/lib.sh"
DB="$WORK/t.db"
export TLSRPT_DB="$DB"

# Inputs: every golden case, copied under names that say nothing about their format.
mkdir -p "$WORK/valid" "$WORK/invalid"
n_valid=0
for f in "$TLSRPT_SOURCE_DIR"/tests/reports/valid/*/input.json*; do
    # A case with a hints file needs its envelope (TLS-Report-Domain): not a bare-file import.
    [ -e "$(dirname "$f")/hints" ] && continue
    n_valid=$((n_valid + 1))
    cp "$f" "$WORK/valid/case$n_valid"
done
n_invalid=0
for f in "$TLSRPT_SOURCE_DIR"/tests/reports/invalid/*/input.json*; do
    n_invalid=$((n_invalid + 1))
    cp "$f" "$WORK/invalid/case$n_invalid.dat"
done
[ "$n_valid" -gt 10 ] && ok "found $n_valid valid golden inputs" || not_ok "too few golden inputs ($n_valid)"
before=$(cd "$WORK" && find valid invalid -type f -exec sha256sum {} + | sort)

out=$("$COLLECTOR" import --json --no-progress "$WORK/valid" 2>"$WORK/err1")
check "first import exit status" 0 $?
check "first import: all valid cases imported" "$n_valid" "$(json_get "$out" imported)"
check "first import: nothing rejected" 0 "$(json_get "$out" rejected)"
totals1=$(sql "$DB" "SELECT count(*), total(successful), total(failed) FROM policies")

out=$("$COLLECTOR" import --json --no-progress "$WORK/valid" 2>/dev/null)
check "second import: nothing new" 0 "$(json_get "$out" imported)"
check "second import: every input a duplicate" "$n_valid" "$(json_get "$out" duplicates)"
check "second import: totals unchanged" "$totals1" \
    "$(sql "$DB" "SELECT count(*), total(successful), total(failed) FROM policies")"
check "duplicate counter raised once per report" "$n_valid" "$(sql "$DB" "SELECT sum(duplicates) FROM reports")"

out=$("$COLLECTOR" import --json --no-progress "$WORK/invalid" 2>"$WORK/err2")
check "invalid inputs all rejected" "$n_invalid" "$(json_get "$out" rejected)"
check "rejects kept in the database" "$n_invalid" "$(sql "$DB" "SELECT count(*) FROM rejects")"
check "each reject has its raw bytes" "$n_invalid" \
    "$(sql "$DB" "SELECT count(*) FROM rejects JOIN raw_inputs r ON r.id = raw_id WHERE length(r.data) > 0")"
grep -q "rejected $WORK/invalid/" "$WORK/err2" && ok "rejects are logged with their path" \
    || not_ok "no reject log line"

after=$(cd "$WORK" && find valid invalid -type f -exec sha256sum {} + | sort)
check "import never changes its inputs" "$before" "$after"

out=$("$COLLECTOR" reprocess --json 2>/dev/null)
check "reprocess: no new reports from unchanged parser" 0 "$(json_get "$out" imported)"
check "reprocess: totals unchanged" "$totals1" \
    "$(sql "$DB" "SELECT count(*), total(successful), total(failed) FROM policies")"
out=$("$COLLECTOR" reprocess --json 2>/dev/null)
check "reprocess twice: still nothing new" 0 "$(json_get "$out" imported)"
check "reprocess: rejects still rejected" "$n_invalid" "$(json_get "$out" rejected)"

"$COLLECTOR" import --no-progress "$WORK/does-not-exist" >/dev/null 2>&1
check "missing path: exit 66" 66 $?
"$COLLECTOR" import >/dev/null 2>&1
check "no path: exit 64" 64 $?
"$COLLECTOR" import --help | grep -q "Usage: tlsrpt-collector import"
check "import --help exits 0 and teaches" 0 $?
"$COLLECTOR" import --db /proc/no/such/dir/x.db "$WORK/valid" >/dev/null 2>&1
check "unopenable database: exit 73" 73 $?

# Interoperability with the public corpus: every real/rfc/synthetic report accepted, rpt03 rejected.
if [ -d "$CORPUS" ]; then
    DB2="$WORK/corpus.db"
    mapfile -t files < <(find "$CORPUS" -name '*.json' -o -name '*.json.gz' | sort)
    out=$("$COLLECTOR" import --db "$DB2" --json --no-progress "${files[@]}" 2>"$WORK/err3")
    check "corpus: exactly one file rejected" 1 "$(json_get "$out" rejected)"
    check "corpus: the rejected file is rpt03.json" 1 \
        "$(sql "$DB2" "SELECT count(*) FROM rejects j JOIN receipts r ON r.id = j.receipt_id WHERE r.reference LIKE '%mail-auth/rpt03.json'")"
    reason=$(sql "$DB2" "SELECT path FROM rejects")
    case "$reason" in
        policies*) ok "corpus: rpt03 reason is path-qualified ($reason)" ;;
        *) not_ok "corpus: rpt03 reason lacks a JSON path: '$reason'" ;;
    esac
    accepted=$(( $(json_get "$out" imported) + $(json_get "$out" duplicates) ))
    check "corpus: every other file accepted" $(( ${#files[@]} - 1 )) "$accepted"
else
    echo "skip - corpus: $CORPUS not found, interoperability part skipped"
fi
finish
