#!/bin/bash
# web_bench.sh - server time of tlsrpt-web's overview and of a domain page on the 1,000,000-report
# database of bench/report_gen (the same one bench/report_bench.sh builds and reuses), in-process
# (web_bench: cold analysis, warm cache, and the analysis alone as the bound) and over HTTP with
# curl (first request, then warm). Target (issue 6): under 100 ms each. Prints figures; not a test.
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
for w in 14 30; do
    "$BUILD/bench/web_bench" "$DB" --now "$TODAY" --domain "$DOMAIN" --runs "$RUNS" --window "$w"
done
echo
echo "== over HTTP (curl time_total, loopback)"
log=$(mktemp)
"$BUILD/web/tlsrpt-web" --db "$DB" --listen 127.0.0.1:0 --now "$TODAY" 2>"$log" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$log"' EXIT
url=
for _ in $(seq 100); do
    url=$(grep -o 'http://[^ ]*/' "$log" | head -1) && [ -n "$url" ] && break
    sleep 0.1
done
for path in "?window=14" "domain?d=$DOMAIN&window=14"; do
    first=$(curl -s -o /dev/null -w '%{time_total}' "$url$path")
    all=()
    for _ in $(seq "$RUNS"); do
        all+=("$(curl -s -o /dev/null -w '%{time_total} %{size_download}' "$url$path")")
    done
    median=$(printf '%s\n' "${all[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")
    awk -v p="/$path" -v f="$first" -v m="${median% *}" -v b="${median#* }" \
        'BEGIN { printf "%-40s first %8.1f ms  warm median %8.1f ms  (%s bytes)\n", p, f * 1000, m * 1000, b }'
done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
