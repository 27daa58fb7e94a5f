#!/usr/bin/env bash
# README command (1): on a fresh Debian machine, installs what is missing, builds, generates the bundled
# demo data (four domains: ready, broken MX, too little data, enforcing), imports it into an embedded
# SQLite file (./demo/tlsrpt.db) and prints the analysis.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/scripts/setup.sh"
"$top/scripts/build.sh" "$top/build" RelWithDebInfo >/dev/null
demo="$top/demo"
rm -rf "$demo"
mkdir -p "$demo"
"$top/build/bench/tlsrpt-gen" --scenarios --seed 1 --format all --out "$demo/data" >/dev/null
export TLSRPT_DB="$demo/tlsrpt.db"
echo "== tlsrpt-collector import $demo/data/maildir   (report mails, read-only)"
"$top/build/collector/tlsrpt-collector" import --no-progress --quiet "$demo/data/maildir"
echo "== tlsrpt-collector import $demo/data/json.gz   (the same reports as files: all duplicates)"
"$top/build/collector/tlsrpt-collector" import --no-progress --quiet "$demo/data/json.gz"
if [ -x "$top/build/analyzer/tlsrpt-report" ]; then
    echo "== tlsrpt-report --since 14d"
    "$top/build/analyzer/tlsrpt-report" --since 14d || true  # exit status is the verdict
fi
echo
echo "Database: $TLSRPT_DB   (try: build/analyzer/tlsrpt-report --db $TLSRPT_DB --format json)"
