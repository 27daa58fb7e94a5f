#!/usr/bin/env bash
# Crash safety of `tlsrpt-collector maildir` (issue 3): 2,000 generated report mails plus a few broken
# ones; the command is killed with SIGKILL at random moments at least 20 times and restarted each time.
# At the end every report is in the database exactly once (the same set of dedupe keys as a clean run
# over a pristine copy) and every message is in cur/ (seen) or in the reject folder: none lost, none
# left behind, none duplicated on disk.
. "$(dirname "$0")/lib.sh"
N=2000
N_BROKEN=10
KILLS_WANTED=20

if [ ! -x "$GEN" ]; then
    echo "SKIP: tlsrpt-gen not built ($GEN)"
    finish
    exit $?
fi
"$GEN" --format maildir --reports "$N" --out "$WORK/gen" >/dev/null || { not_ok "tlsrpt-gen failed"; finish; exit 1; }
SRC="$WORK/gen/maildir"
# Broken reports: a report mail whose gzip part is corrupt must end in the reject folder.
i=0
for f in $(ls "$SRC/new" | head -n "$N_BROKEN"); do
    i=$((i + 1))
    python3 - "$SRC/new/$f" "$SRC/new/broken$i.M$i.test" <<'PY'
import sys
src, dst = sys.argv[1], sys.argv[2]
tag = dst.rsplit("/", 1)[1].split(".")[0].encode()  # distinct bytes per broken part
text = open(src, "rb").read()
# Keep the MIME structure, make the base64 of the report part decode to a corrupt gzip stream.
head, sep, rest = text.partition(b"Content-Transfer-Encoding: base64\n\n")
if not sep:
    sys.exit("no base64 part in " + src)
open(dst, "wb").write(head + sep + b"H4sIAAAAAAAAA+" + tag + b"+broken+broken\n" + rest[rest.find(b"\n--"):])
PY
done
total=$(ls "$SRC/new" | wc -l)
check "generated $N reports and $N_BROKEN broken mails" "$((N + N_BROKEN))" "$total"

# The reference: one clean run over a pristine copy.
cp -r "$SRC" "$WORK/clean"
"$COLLECTOR" maildir --db "$WORK/clean.db" "$WORK/clean" >/dev/null 2>&1
check "clean run exit status" 0 $?

# The crash run: small batches so each run commits many times, killed at random moments.
cp -r "$SRC" "$WORK/md"
DB="$WORK/crash.db"
# First a polite stop: SIGTERM finishes the current batch and exits 0; what moved is what is stored.
"$COLLECTOR" maildir --db "$DB" --batch-size 10 -q "$WORK/md" >/dev/null 2>>"$WORK/crash.log" &
pid=$!
for _ in $(seq 200); do [ -n "$(ls "$WORK/md/cur")" ] && break; sleep 0.05; done
kill -TERM "$pid"
wait "$pid"
check "SIGTERM: exit 0" 0 $?
check "SIGTERM: every message moved to cur/ is stored" "$(ls "$WORK/md/cur" | wc -l)" \
    "$(sql "$DB" "SELECT count(*) FROM reports")"
[ "$(ls "$WORK/md/new" | wc -l)" -gt 0 ] && ok "SIGTERM: stopped before the end" \
    || not_ok "SIGTERM came too late to test anything"
kills=0
runs=0
while [ "$kills" -lt "$KILLS_WANTED" ] && [ "$runs" -lt 200 ]; do
    runs=$((runs + 1))
    "$COLLECTOR" maildir --db "$DB" --batch-size 10 -q "$WORK/md" >/dev/null 2>>"$WORK/crash.log" &
    pid=$!
    # 5-60 ms: short enough that 2,000 messages take well over 20 runs even on an idle machine.
    sleep "0.0$(printf '%02d' $((5 + RANDOM % 55)))"
    if kill -KILL "$pid" 2>/dev/null; then
        wait "$pid" 2>/dev/null
        [ $? -eq 137 ] && kills=$((kills + 1))
    else
        wait "$pid" 2>/dev/null
    fi
    [ -z "$(ls "$WORK/md/new")" ] && break # nothing left to interrupt
done
echo "# $kills SIGKILLs in $runs runs; $(ls "$WORK/md/new" | wc -l) messages still in new/"
[ "$kills" -ge "$KILLS_WANTED" ] && ok "killed with SIGKILL $kills times mid-run" \
    || not_ok "only $kills SIGKILLs landed (the run finished too fast)"
out=$("$COLLECTOR" maildir --json --db "$DB" "$WORK/md" 2>>"$WORK/crash.log")
check "final run exit status" 0 $?
check "final run: nothing failed" 0 "$(json_get "$out" failed)"

check "every report stored" "$N" "$(sql "$DB" "SELECT count(*) FROM reports")"
check "the same reports as the clean run, each once" \
    "$(sql "$WORK/clean.db" "SELECT group_concat(dedupe_key) FROM (SELECT dedupe_key FROM reports ORDER BY 1)")" \
    "$(sql "$DB" "SELECT group_concat(dedupe_key) FROM (SELECT dedupe_key FROM reports ORDER BY 1)")"
check "broken parts kept as rejects, each once" "$N_BROKEN" "$(sql "$DB" "SELECT count(*) FROM rejects")"
check "new/ is empty" 0 "$(ls "$WORK/md/new" | wc -l)"
check "cur/ holds every good message, seen" "$N" "$(ls "$WORK/md/cur" | grep -c ':2,S$')"
check "cur/ holds nothing else" "$N" "$(ls "$WORK/md/cur" | wc -l)"
check "reject folder holds the broken ones" "$N_BROKEN" \
    "$(ls "$WORK/md/.tlsrpt-rejected/new" "$WORK/md/.tlsrpt-rejected/cur" | grep -c broken)"
check "no message lost or copied" "$total" "$(find "$WORK/md" -type f ! -name maildirfolder | wc -l)"
check "tmp/ untouched" 0 "$(ls "$WORK/md/tmp" | wc -l)"
# Same bytes: every message still has its original content under its new name.
orig=$(cd "$SRC" && find new -type f -exec sha256sum {} + | awk '{print $1}' | sort | sha256sum)
now=$(cd "$WORK/md" && find cur .tlsrpt-rejected -type f ! -name maildirfolder -exec sha256sum {} + \
    | awk '{print $1}' | sort | sha256sum)
check "message contents unchanged" "$orig" "$now"
finish
