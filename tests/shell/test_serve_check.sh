#!/usr/bin/env bash
# test_serve_check.sh - `tlsrpt-collector serve --check-domains`: the periodic live check inside the
# daemon, against the same loopback peers as test_check.sh (check_peers.bash). serve runs with a
# fresh database, two scenario domains (one all good, one with an error finding) and a 2 s
# interval; the test waits until each domain has at least two stored checks (history kept, times
# increasing), compares the stored finding codes with the scenario table, asks tlsrpt-report for the
# verdict of the domain with the error, and stops serve with SIGTERM in the wait between rounds.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/check_peers.bash" # T, PY, S, stop_all, now_ms, wait_file, check_peers_start
export TLSRPT_CONFIG= # never read the machine's /etc/tlsrpt/tlsrpt.conf
GOOD=good.test
BAD=mxout.test # one MX outside the policy's mx lines: error mx-not-in-policy
DB="$S/serve.db"
LOG="$S/serve.log"

[ -x "$COLLECTOR" ] || { not_ok "$COLLECTOR not built"; finish; exit; }

# --- configuration errors (no peers needed) ------------------------------------------------------
"$COLLECTOR" serve --plain-http --check-config --db "$S/none.db" --check-domains 'not a domain!' \
    >"$S/cc-bad.out" 2>&1
check "check-config: a bad domain is a config error" "78" "$?"
grep -q "check-domains: 'not' is not a domain name" "$S/cc-bad.out" && ok "check-config: the bad entry is named" \
    || not_ok "check-config: message: $(cat "$S/cc-bad.out")"
"$COLLECTOR" serve --plain-http --check-config --check-domains "$GOOD" --check-interval 0 >/dev/null 2>&1
check "check-interval 0: usage error" "64" "$?"
printf '[serve]\nplain-http = yes\ncheck-domains = %s\ncheck-interval = daily\n' "$GOOD" >"$S/bad.conf"
"$COLLECTOR" serve --config "$S/bad.conf" --check-config >"$S/cc-conf.out" 2>&1
check "config file: a bad check-interval is a config error" "78" "$?"
grep -q "bad.conf:4: check-interval: 'daily' is not a duration" "$S/cc-conf.out" && ok "config file: file and line named" \
    || not_ok "config file: message: $(cat "$S/cc-conf.out")"
"$COLLECTOR" serve --plain-http --check-config --check-domains "$GOOD" \
    --check-policy-connect-to "nope" >/dev/null 2>&1
check "check-policy-connect-to without a port: config error" "78" "$?"
"$COLLECTOR" serve --plain-http --check-config --check-domains "$GOOD" \
    --check-ca-file "$S/nonexistent.pem" >"$S/cc-ca.out" 2>&1
check "unreadable check-ca-file: config error" "78" "$?"
[ ! -e "$S/none.db" ] && ok "check-config creates no database" || not_ok "check-config created a database"

# --- servers -------------------------------------------------------------------------------------
check_peers_start

printf '[serve]\nplain-http = yes\ncheck-domains = %s, %s\n' "$GOOD" "$BAD" >"$S/serve.conf"
"$COLLECTOR" serve --config "$S/serve.conf" --check-config --check-interval 2s \
    --check-dns-server "127.0.0.1@$DNS_PORT" --check-ca-file "$S/pki/ca.pem" >"$S/cc-ok.out" 2>&1
check "check-config: good configuration" "0" "$?"
grep -q "warning: check-interval is 2 s, under an hour" "$S/cc-ok.out" && ok "check-config: short interval warned about" \
    || not_ok "check-config: no warning: $(cat "$S/cc-ok.out")"

T_START=$(now_ms)
"$COLLECTOR" serve --config "$S/serve.conf" --listen 127.0.0.1 --port 0 --db "$DB" \
    --check-interval 2s --check-dns-server "127.0.0.1@$DNS_PORT" --check-ca-file "$S/pki/ca.pem" \
    --check-smtp-port "$SMTP_PORT" --check-policy-connect-to ":$HTTPS_PORT" >"$LOG" 2>&1 &
SERVE_PID=$!
echo "$SERVE_PID" >"$S/serve.pid" # stop_all ends it should the test stop early

# rows DOMAIN: stored checks of DOMAIN
rows() { sql "$DB" "SELECT count(*) FROM checks WHERE domain = '$1'"; }
deadline=$(($(now_ms) + 60000))
while [ "$(now_ms)" -lt "$deadline" ] && kill -0 "$SERVE_PID" 2>/dev/null; do
    g=$(rows "$GOOD")
    b=$(rows "$BAD")
    [ "${g:-0}" -ge 2 ] 2>/dev/null && [ "${b:-0}" -ge 2 ] 2>/dev/null && break
    sleep 0.2
done
took=$(($(now_ms) - T_START))
g=$(rows "$GOOD")
b=$(rows "$BAD")
if [ "$g" -ge 2 ] 2>/dev/null && [ "$b" -ge 2 ] 2>/dev/null; then
    ok "two rounds stored within $took ms ($GOOD: $g, $BAD: $b)"
else
    not_ok "after $took ms: $GOOD $g rows, $BAD $b rows; log:"
    sed 's/^/# /' "$LOG"
fi
grep -q "listening on http://127.0.0.1:" "$LOG" && ok "serve listens (plain HTTP) next to the check" || not_ok "no listening line"
grep -q "check: 2 domain(s) every 2 s, the first round in 2 s: $GOOD, $BAD" "$LOG" \
    && ok "start line names the domains and the interval" || not_ok "start line missing"

# --- history: one row per domain per round, times increasing ---------------------------------------
for d in "$GOOD" "$BAD"; do
    times=$(sql "$DB" "SELECT checked_at FROM checks WHERE domain = '$d' ORDER BY id" | paste -sd' ')
    inc=$(echo "$times" | awk '{ for (i = 2; i <= NF; i++) if ($i <= $(i - 1)) { print "no"; exit } print "yes" }')
    check "$d: checked_at increases from round to round ($times)" "yes" "$inc"
done

# --- stored findings equal the scenario's ------------------------------------------------------------
for d in "$GOOD" "$BAD"; do
    want=$(expected_codes "$d")
    got=$(sql "$DB" "SELECT DISTINCT (SELECT coalesce(group_concat(code, ','), '-') FROM
                        (SELECT code FROM check_findings f WHERE f.check_id = c.id ORDER BY code))
                     FROM checks c WHERE domain = '$d'" | paste -sd' ')
    check "$d: stored finding codes of every check" "$want" "$got"
done
check "verdicts" "$GOOD|ok,$BAD|errors" \
    "$(sql "$DB" "SELECT DISTINCT domain || '|' || verdict FROM checks ORDER BY domain" | paste -sd,)"
check "result JSON kept" "$BAD" "$(sql "$DB" "SELECT DISTINCT json_extract(result, '$.domain') FROM checks WHERE domain = '$BAD'")"

# --- log lines: one per domain per round ---------------------------------------------------------------
grep -Eq "info: check: $GOOD: ok, 0 error\(s\), 0 warning\(s\), 0 note\(s\) in [0-9]+ ms; stored as check [0-9]+$" "$LOG" \
    && ok "log: $GOOD line with verdict, counts, duration" || not_ok "log: no line for $GOOD"
grep -Eq "warning: check: $BAD: errors, 1 error\(s\), 0 warning\(s\), 0 note\(s\) in [0-9]+ ms \(mx-not-in-policy\); stored as check [0-9]+$" "$LOG" \
    && ok "log: $BAD line with verdict, counts, duration and the error code" || not_ok "log: no line for $BAD"

# --- the analyzer's verdict uses the newest stored check -------------------------------------------
# No report is needed: with --domain the domain is analysed even with an empty window, and a
# blocking live-check finding makes it not-ready (analyzer/live_rules.c).
"$REPORT" --db "$DB" --domain "$BAD" >"$S/report.txt" 2>&1
check "tlsrpt-report: $BAD is not-ready (exit 1) on the stored check alone" "1" "$?"
grep -Eq "^  $BAD +not-ready .*live-mx-failure" "$S/report.txt" \
    && grep -q "mx2.$BAD was never reported on, and the live check of" "$S/report.txt" \
    && grep -q "(mx-not-in-policy): it would refuse mail under enforce" "$S/report.txt" \
    && ok "tlsrpt-report: the live-check reason names the MX and the code" \
    || { not_ok "tlsrpt-report: no live-check reason"; sed 's/^/# /' "$S/report.txt"; }
"$REPORT" --db "$DB" --domain "$GOOD" --format json >"$S/report-good.json" 2>/dev/null
check "tlsrpt-report: $GOOD carries the newest live check" "ok" \
    "$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["domains"][0]["live_check"]["verdict"])' "$S/report-good.json" 2>&1)"

# --- SIGTERM in the wait between rounds: exit 0 within 3 s ---------------------------------------------
# A round ends with the $BAD line (domains are checked in the order given); the next one is 2 s after
# the previous start, so right after that line serve is waiting.
n=$(grep -c "check: $BAD:" "$LOG")
deadline=$(($(now_ms) + 20000))
while [ "$(grep -c "check: $BAD:" "$LOG")" -le "$n" ] && [ "$(now_ms)" -lt "$deadline" ]; do
    sleep 0.05
done
sleep 0.2
start=$(now_ms)
kill -TERM "$SERVE_PID"
rc=timeout
for _ in $(seq 1 60); do
    if ! kill -0 "$SERVE_PID" 2>/dev/null; then
        wait "$SERVE_PID"
        rc=$?
        break
    fi
    sleep 0.05
done
took=$(($(now_ms) - start))
check "SIGTERM during the wait: exit status" "0" "$rc"
[ "$rc" != timeout ] && [ "$took" -le 3000 ] && ok "serve stopped $took ms after SIGTERM" \
    || not_ok "serve took $took ms to stop (limit 3000)"
[ "$rc" = timeout ] && kill -KILL "$SERVE_PID" 2>/dev/null
grep -Eq "info: check: stopped: [0-9]+ round\(s\), [0-9]+ check\(s\) stored, 0 not run, 0 not stored$" "$LOG" \
    && ok "log: the check thread's totals at stop" || not_ok "log: no check totals at stop"
grep -q "check: stopping after the check of" "$LOG" && not_ok "SIGTERM came during a check, not the wait" \
    || ok "SIGTERM came during the wait"
if grep -Eq "(ERROR|AddressSanitizer|runtime error|error:)" "$LOG"; then
    not_ok "errors in the serve log:"
    grep -E "(ERROR|AddressSanitizer|runtime error|error:)" "$LOG" | sed 's/^/# /'
else
    ok "no errors in the serve log"
fi

finish
