#!/bin/bash
# web_bench.sh - server time of tlsrpt-web's overview and of a domain page on the 1,000,000-report
# database of bench/report_gen (the same one bench/report_bench.sh builds and reuses), in-process
# (web_bench: cold analysis, warm cache, the analysis alone as the bound, and for each preset window
# the overview once the refresher ran and on a new day's first requests) and over HTTP with curl
# (a request during the start-up pass, then each preset window once the refresher is done, and the
# server's resident memory). Target (issue 6): under 100 ms each. Prints figures; not a test.
#
#   bench/web_bench.sh BUILD_DIR [DB]
set -eu
BUILD=${1:?usage: web_bench.sh BUILD_DIR [DB]}
DB=${2:-/tmp/tlsrpt-report-bench/report_bench-1000000.db}
TODAY=2026-10-15 # report_bench.sh's date: the database's newest day is the day before
DOMAIN=d00042.example
RUNS=5

if [ ! -f "$DB" ]; then
    echo "== building $DB (1,000,000 reports, 5,000 domains, 30 days; takes minutes)"
    mkdir -p "$(dirname "$DB")"
    "$BUILD/bench/report_gen" "$DB.tmp" --reports 1000000 --domains 5000 --days 30 --today "$TODAY"
    mv "$DB.tmp" "$DB"
    rm -f "$DB.tmp-wal" "$DB.tmp-shm"
fi
echo "== database $DB ($(du -h "$DB" | cut -f1)): $(sqlite3 -readonly "$DB" \
    'SELECT count(*) FROM reports') reports"
echo
echo "== in-process (router, no socket)"
"$BUILD/bench/web_bench" "$DB" --now "$TODAY" --domain "$DOMAIN" --runs "$RUNS" --window 14 \
    --presets
"$BUILD/bench/web_bench" "$DB" --now "$TODAY" --domain "$DOMAIN" --runs "$RUNS" --window 30
echo
echo "== over HTTP (curl time_total, loopback)"
log=$(mktemp)
"$BUILD/web/tlsrpt-web" --db "$DB" --listen 127.0.0.1:0 --now "$TODAY" --log-level debug 2>"$log" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$log"' EXIT
url=
for _ in $(seq 100); do
    url=$(grep -o 'http://[^ ]*/' "$log" | head -1) && [ -n "$url" ] && break
    sleep 0.1
done
# A request while the start-up pass runs: it waits for the refresher's analysis of its window, or
# (another window) computes its own.
time_one() { curl -s -o /dev/null -w '%{time_total} %{size_download}' "$url$1"; }
line() {
    awk -v p="/$1" -v w="$2" -v t="${3% *}" -v b="${3#* }" \
        'BEGIN { printf "%-40s %-28s %8.1f ms  (%s bytes)\n", p, w, t * 1000, b }'
}
line "?window=14" "during the start-up pass" "$(time_one "?window=14")"
for _ in $(seq 1200); do # the pass at start: at most 10 minutes
    grep -q 'preset windows ready' "$log" && break
    sleep 0.5
done
grep -o 'refresher: .*' "$log" | sed 's/^/  /'
for path in "?window=7" "?window=14" "?window=30" "?window=90" "domain?d=$DOMAIN&window=14"; do
    first=$(time_one "$path")
    all=()
    for _ in $(seq "$RUNS"); do
        all+=("$(time_one "$path")")
    done
    median=$(printf '%s\n' "${all[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")
    line "$path" "first after the pass" "$first"
    line "$path" "median of $RUNS" "$median"
done
echo "tlsrpt-web resident memory with every preset window cached: $(awk '/VmRSS/ { print $2, $3 }' \
    "/proc/$pid/status") (peak $(awk '/VmHWM/ { print $2, $3 }' "/proc/$pid/status"))"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
