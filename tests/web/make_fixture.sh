#!/usr/bin/env bash
# make_fixture.sh BUILD_DIR SOURCE_DIR OUT_DIR - the dashboard tests' databases, made by the real
# programs (tlsrpt-gen, tlsrpt-collector import):
#   OUT_DIR/fixture.db  the generator's four scenario domains (14 days up to 2026-03-14, as .json
#                       and .json.gz, so the import also deduplicates) and two rejected inputs
#   OUT_DIR/xss.db      the same plus tests/web/xss/*.json (script, attribute-breaking, javascript:
#                       and SVG payloads in every string field) and a rejected input whose file
#                       name and content are payloads
# The tests pin "now" to 2026-03-15T12:00:00Z (WEB_TEST_NOW). The store stamps arrivals with the
# real clock, so the arrival times are set afterwards to 2026-03-14, inside the tests' window: the
# rejects page filters on them.
set -euo pipefail
build=$1 src=$2 out=$3
gen=$build/bench/tlsrpt-gen
collector=$build/collector/tlsrpt-collector
rm -rf "$out"
mkdir -p "$out/in" "$out/rejects" "$out/xss-rejects"

# Not --format all: tlsrpt-collector import does not take .eml/Maildir apart yet, and every mail
# would be a reject.
"$gen" --scenarios --seed 1 --format json,json.gz --today 2026-03-15 --quiet --out "$out/in"

# Two inputs that must show on the rejects page: a report without report-id (schema) and a gzip
# stream cut short (corrupt).
printf '{"organization-name":"Broken Corp","date-range":{"start-datetime":"2026-03-13T00:00:00Z",'\
'"end-datetime":"2026-03-13T23:59:59Z"},"contact-info":"tls@broken.example","policies":[]}' \
    > "$out/rejects/no-report-id.json"
seq 1 500 | gzip -n -c | head -c 40 > "$out/rejects/truncated.json.gz"

# A reject whose file name and content are payloads (the reference and reason reach the page).
printf '{"organization-name": "<script>console.log(\x27XSS-MARKER-rejected\x27)</script>", ' \
    > "$out/xss-rejects/\"><img src=x onerror=console.log(1)>.json"

stamp() {
    # 2026-03-14T08:00:00Z plus the row id in seconds: distinct, ordered, inside the window.
    sqlite3 -batch "$1" "
        UPDATE receipts SET received_at = 1773475200 + id;
        UPDATE raw_inputs SET first_seen = 1773475200 + id;
        UPDATE reports SET imported_at = 1773475200 + id;
        UPDATE rejects SET rejected_at = 1773475200 + id;"
}

timeout 300 "$collector" import --db "$out/fixture.db" "$out/in" "$out/rejects" > "$out/import.log" 2>&1
stamp "$out/fixture.db"
timeout 300 "$collector" import --db "$out/xss.db" "$out/in" "$out/rejects" "$src/tests/web/xss" \
    "$out/xss-rejects" > "$out/import-xss.log" 2>&1
stamp "$out/xss.db"
