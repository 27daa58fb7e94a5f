#!/bin/bash
# report_bench.sh - times tlsrpt-report --since 14d on a database of 1,000,000 reports (5,000
# domains, 30 days), built through the collector's own store code by report_gen, for one domain and
# for all domains, in each output format; prints the query plans. Targets (issue 5): under 100 ms
# for one domain, under 2 s for all. Not a test: it prints figures.
#
#   bench/report_bench.sh BUILD_DIR [WORK_DIR] [REPORTS]
# The database is kept in WORK_DIR (default /tmp/tlsrpt-report-bench) and reused by later runs.
set -eu
BUILD=${1:?usage: report_bench.sh BUILD_DIR [WORK_DIR] [REPORTS]}
WORK=${2:-/tmp/tlsrpt-report-bench}
REPORTS=${3:-1000000}
TODAY=2026-10-15
DB="$WORK/report_bench-$REPORTS.db"
REPORT="$BUILD/analyzer/tlsrpt-report"
RUNS=5

mkdir -p "$WORK"
if [ ! -f "$DB" ]; then
    echo "== building $DB ($REPORTS reports, 5000 domains, 30 days; takes minutes)"
    "$BUILD/bench/report_gen" "$DB.tmp" --reports "$REPORTS" --domains 5000 --days 30 --today "$TODAY"
    mv "$DB.tmp" "$DB"
    rm -f "$DB.tmp-wal" "$DB.tmp-shm"
fi
# Brings an older bench database to this build's schema (new migrations such as indexes).
"$BUILD/bench/report_gen" "$DB" --reports 0 --today "$TODAY" >/dev/null

echo "== database"
echo "file: $DB ($(du -h "$DB" | cut -f1))"
for t in reports policies failure_details; do
    echo "$t: $(sqlite3 -readonly "$DB" "SELECT count(*) FROM $t")"
done
echo "policies in the window: $(sqlite3 -readonly "$DB" \
    "SELECT count(*) FROM policies WHERE start_time >= strftime('%s','$TODAY','-14 days')")"
echo
echo "== query plans"
"$BUILD/bench/report_plan" "$DB"
echo

# times LABEL ARGS...: runs tlsrpt-report RUNS times after one warm-up run; prints the minimum and
# median wall-clock time and the median CPU time (user + system), which a busy machine disturbs less.
times() {
    local label=$1 wall=() cpu=() line t0 t1
    shift
    "$REPORT" --db "$DB" --now "$TODAY" --since 14d "$@" >/dev/null || [ $? -le 2 ]
    for _ in $(seq "$RUNS"); do
        t0=$(date +%s%N)
        /usr/bin/time -f "%U %S" -o "$WORK/time" "$REPORT" --db "$DB" --now "$TODAY" \
            --since 14d "$@" >"$WORK/out" || [ $? -le 2 ]
        t1=$(date +%s%N)
        wall+=($(((t1 - t0) / 1000000)))
        line=$(tail -1 "$WORK/time") # CPU time has a resolution of 10 ms
        cpu+=("$(echo "$line" | awk '{ printf "%d", ($1 + $2) * 1000 }')")
    done
    local mid=$(((RUNS + 1) / 2))
    printf '%-22s wall min %5d ms, median %5d ms; cpu median %5d ms; output %9d bytes\n' \
        "$label" "$(printf '%s\n' "${wall[@]}" | sort -n | head -1)" \
        "$(printf '%s\n' "${wall[@]}" | sort -n | sed -n "${mid}p")" \
        "$(printf '%s\n' "${cpu[@]}" | sort -n | sed -n "${mid}p")" "$(wc -c <"$WORK/out")"
}

echo "== tlsrpt-report --since 14d (target: one domain < 100 ms, all domains < 2 s)"
times "one domain, text" --domain d00042.example
times "one domain, json" --domain d00042.example --format json
times "all domains, text"
times "all domains, json" --format json
times "all domains, csv" --format csv
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
