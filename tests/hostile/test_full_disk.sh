#!/usr/bin/env bash
# A full disk under the database (a small tmpfs, so the test needs root, which CI has): the import
# that hits it fails with a clear "full" error and exit 75, the database stays consistent, every
# batch committed before the disk filled is still there, and once there is room again a second
# import brings in the rest, each report exactly once.
. "$(dirname "$0")/../shell/lib.sh"
FS="$WORK/fs"
mkdir -p "$FS"
if ! mount -t tmpfs -o size=2m tmpfs "$FS" 2>/dev/null; then
    if [ "${CI:-}" = "true" ]; then
        not_ok "cannot mount a tmpfs (root needed); CI must run this test"
    else
        echo "skip - cannot mount a tmpfs here (not root?); the full-disk test did not run"
    fi
    finish
    exit $?
fi
trap 'umount "$FS" 2>/dev/null; rm -rf "$WORK"' EXIT

N=3000
"$GEN" --format json.gz --reports "$N" --seed 7 --out "$WORK/in" --quiet >/dev/null 2>&1
check "generated $N reports" "$N" "$(ls "$WORK/in/json.gz" | wc -l)"

DB="$FS/t.db"
"$COLLECTOR" import --db "$DB" --no-progress --batch-size 100 "$WORK/in/json.gz" \
    >"$WORK/out1" 2>"$WORK/err1"
check "import on a full disk: exit 75 (try again)" 75 $?
grep -qi "full" "$WORK/err1" && ok "the error says the disk is full" \
    || not_ok "no 'full' in the error: $(head -c 300 "$WORK/err1")"
check "database still consistent" ok "$(sql "$DB" "PRAGMA integrity_check")"
kept=$(sql "$DB" "SELECT count(*) FROM reports")
[ "$kept" -gt 0 ] && [ "$kept" -lt "$N" ] && ok "$kept reports committed before the disk filled are kept" \
    || not_ok "expected some but not all reports before the disk filled, got '$kept'"
check "every kept report has all its policies" 0 \
    "$(sql "$DB" "SELECT count(*) FROM reports r WHERE NOT EXISTS (SELECT 1 FROM policies p WHERE p.report = r.id)")"

mount -o remount,size=64m "$FS"
out=$("$COLLECTOR" import --db "$DB" --json --no-progress "$WORK/in/json.gz" 2>"$WORK/err2")
check "with room again: exit 0" 0 $?
check "with room again: the rest imported" $((N - kept)) "$(json_get "$out" imported)"
check "with room again: the kept ones are duplicates" "$kept" "$(json_get "$out" duplicates)"
check "every report exactly once" "$N" "$(sql "$DB" "SELECT count(*) FROM reports")"
check "database consistent at the end" ok "$(sql "$DB" "PRAGMA integrity_check")"
finish
