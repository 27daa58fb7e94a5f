#!/usr/bin/env bash
# test_check.sh - tlsrpt-check end to end against real servers on loopback, started and stopped here:
# nsd (one zone per scenario), an HTTPS policy peer (certificate by SNI, answer by Host) and aiosmtpd
# SMTP peers with STARTTLS, all with a test CA made by this test (check_peers.bash, shared with
# test_serve_check.sh). Scenarios and the exact finding codes each must give:
# tests/checker/scenarios.py. Nothing here talks to any non-loopback address.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/check_peers.bash" # T, PY, S, stop_all, now_ms, wait_file, check_peers_start
CHECK="$TLSRPT_BUILD_DIR/checker/tlsrpt-check"
T0=$(date +%s%N)

[ -x "$CHECK" ] || { not_ok "$CHECK not built"; finish; exit; }

# --- servers -------------------------------------------------------------------------------------
check_peers_start

C=("$CHECK" --dns-server "127.0.0.1@$DNS_PORT" --ca-file "$S/pki/ca.pem" --smtp-port "$SMTP_PORT"
    --policy-connect-to ":$HTTPS_PORT" --timeout 2s)

# --- every scenario: exact finding codes, exit status, and under 2 s ---------------------------------
while read -r domain want_exit want_codes; do
    start=$(now_ms)
    "${C[@]}" --format json "$domain" >"$S/$domain.json" 2>"$S/$domain.err"
    rc=$?
    took=$(($(now_ms) - start))
    got=$($PY "$T/expect.py" "$S/$domain.json" | awk '{print $2}')
    check "$domain: finding codes" "$want_codes" "$got"
    check "$domain: exit status" "$want_exit" "$rc"
    if [ "$domain" != silentmx.test ] && [ "$domain" != slow.test ]; then
        [ "$took" -lt 2000 ] && ok "$domain: checked in $took ms" || not_ok "$domain: took $took ms (limit 2000)"
    fi
done < <($PY "$T/expect.py")

# --- facts and messages of a few scenarios -----------------------------------------------------------
jq_py() { $PY -c "import json,sys; d=json.load(open(sys.argv[1]))['results'][0]; print($2)" "$1"; }
G="$S/good.test.json"
check "good: multi-string TXT joined" "20240101T000000" "$(jq_py "$G" "d['mta_sts_record']['id']")"
check "good: policy mode" "enforce" "$(jq_py "$G" "d['policy']['mode']")"
check "good: policy mx" "['mx1.good.test']" "$(jq_py "$G" "d['policy']['mx']")"
check "good: MX cert days left" "True" "$(jq_py "$G" "398 <= d['smtp'][0]['certificate']['days_left'] <= 400")"
check "good: TLS 1.3 with the MX" "TLS1.3" "$(jq_py "$G" "d['smtp'][0]['certificate']['tls_version']")"
check "good: policy cert names listed" "True" "$(jq_py "$G" "'mta-sts.good.test' in d['policy']['certificate']['names']")"
check "good: policy cert days left" "True" "$(jq_py "$G" "d['policy']['certificate']['days_left'] >= 398")"
check "good: top-level exit_status" "0" "$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['exit_status'])" "$G")"
msg() { $PY -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][0]['findings'][0]['message'])" "$1"; }
check "soon: days in the message" "certificate of mx1.soon.test expires in 9 day(s)" "$(msg "$S/soon.test.json")"
check "html: media type named" "policy file served as text/html" "$(msg "$S/html.test.json")"
check "redirect: target named" "HTTP 301 redirect to https://www.redirect.test/mta-sts.txt" "$(msg "$S/redirect.test.json")"
check "mxout: MX named" "mx2.mxout.test is not covered by any mx line: senders would refuse it under enforce" "$(msg "$S/mxout.test.json")"
check "badid: id quoted" 'id is not 1-32 letters and digits: "2024-01-01"' "$(msg "$S/badid.test.json")"
check "mxout: finding object" "mx2.mxout.test" "$(jq_py "$S/mxout.test.json" "d['findings'][0]['object']")"
check "every finding has a fix sentence" "0" "$($PY -c '
import json, sys
n = 0
for path in sys.argv[1:]:
    for r in json.load(open(path))["results"]:
        n += sum(1 for f in r["findings"] if not f["fix"].endswith("."))
print(n)' "$S"/*.test.json)"

took=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][0]['policy']['elapsed_ms'])" "$S/slow.test.json")
[ "$took" -ge 2000 ] && [ "$took" -lt 2500 ] && ok "slow policy host given up after $took ms" || not_ok "slow policy host: $took ms (want 2000-2500)"

# --- timeouts: a hung MX and a dead DNS server are reported within the configured time --------------
start=$(now_ms)
"${C[@]}" --smtp-timeout 1s --format json silentmx.test >"$S/silent1.json"
took=$(($(now_ms) - start))
check "silent MX: mx-timeout with --smtp-timeout 1s" "mx-timeout" "$($PY "$T/expect.py" "$S/silent1.json" | awk '{print $2}')"
[ "$took" -ge 1000 ] && [ "$took" -lt 1900 ] && ok "silent MX given up after $took ms" || not_ok "silent MX: $took ms (want 1000-1900)"

$PY -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1]); time.sleep(120)' "$S/deaddns.port" &
echo $! >"$S/deaddns.pid"
wait_file "$S/deaddns.port"
start=$(now_ms)
"$CHECK" --dns-server "127.0.0.1@$(cat "$S/deaddns.port")" --ca-file "$S/pki/ca.pem" --dns-timeout 1s \
    --format json good.test >"$S/deaddns.json"
rc=$?
took=$(($(now_ms) - start))
check "dead DNS server: every look-up times out" "dns-timeout,dns-timeout,dns-timeout,dns-timeout,dns-timeout" \
    "$($PY "$T/expect.py" "$S/deaddns.json" | awk '{print $2}')"
check "dead DNS server: exit status" "2" "$rc"
[ "$took" -ge 1000 ] && [ "$took" -lt 1800 ] && ok "dead DNS server reported after $took ms" || not_ok "dead DNS: $took ms (want 1000-1800)"

# --- several domains, text output, usage ---------------------------------------------------------
"${C[@]}" good.test testing.test >"$S/two.txt"
check "two domains: worst exit status wins" "1" "$?"
grep -q "^good.test: ok (0 error(s), 0 warning(s), 0 note(s))" "$S/two.txt" && ok "text: verdict line" || not_ok "text: verdict line missing"
grep -q "^  warning mode-testing: https://mta-sts.testing.test/.well-known/mta-sts.txt: mode is still testing" "$S/two.txt" \
    && ok "text: finding line" || not_ok "text: finding line missing"
grep -q "fix: Switch to \"mode: enforce\"" "$S/two.txt" && ok "text: fix line" || not_ok "text: fix line missing"
"$CHECK" >/dev/null 2>&1
check "no domain: usage exit" "64" "$?"
"$CHECK" --format yaml good.test >/dev/null 2>&1
check "bad --format: usage exit" "64" "$?"
"$CHECK" "exa mple.test" >/dev/null 2>&1
check "bad domain: usage exit" "64" "$?"
"$CHECK" --smtp-port 0 good.test >/dev/null 2>&1
check "bad port: usage exit" "64" "$?"
"$CHECK" --help >"$S/help.txt"
check "--help exit" "0" "$?"
grep -q "^Exit status: 0 all good" "$S/help.txt" && ok "--help documents exit status" || not_ok "--help lacks exit status"
"${C[@]}" --ca-file "$S/nonexistent.pem" good.test >/dev/null 2>&1
check "unreadable CA file: runtime exit" "74" "$?"

# --- --suggest -----------------------------------------------------------------------------------
"${C[@]}" --suggest mxout.test >"$S/suggest.txt"
check "suggest: exit" "0" "$?"
grep -qx "mx: mx1.mxout.test" "$S/suggest.txt" && grep -qx "mx: mx2.mxout.test" "$S/suggest.txt" \
    && ok "suggest: mx lines from the MX records" || not_ok "suggest: mx lines"
grep -qx "mode: testing" "$S/suggest.txt" && grep -qx "max_age: 86400" "$S/suggest.txt" \
    && ok "suggest: testing, one day" || not_ok "suggest: mode/max_age"
grep -Eq '^_mta-sts\.mxout\.test\.	3600	IN	TXT	"v=STSv1; id=[0-9]{8}T[0-9]{6};"$' "$S/suggest.txt" \
    && ok "suggest: _mta-sts record with a UTC id" || not_ok "suggest: _mta-sts record"
grep -q 'rua=mailto:tlsrpt@mxout.test' "$S/suggest.txt" && ok "suggest: placeholder rua" || not_ok "suggest: rua"
"${C[@]}" --suggest --format json nomx.invalid-zone.test >"$S/suggest-nomx.json" 2>/dev/null
check "suggest: no MX gives exit 2" "2" "$?"

# --- --store: history kept, one row per run ------------------------------------------------------
# The checks tables come from migration schema/002_checks.sql.
if [ ! -f "$TLSRPT_SOURCE_DIR/schema/002_checks.sql" ]; then
    not_ok "store: schema/002_checks.sql is missing"
else
    DB="$S/checks.db"
    "${C[@]}" --store --db "$DB" --brief good.test testing.test >/dev/null
    check "store: exit status" "1" "$?"
    "${C[@]}" --store --db "$DB" --brief testing.test >/dev/null
    check "store: rows kept per run" "1|good.test|ok,2|testing.test|warnings" \
        "$(sqlite3 "$DB" "SELECT count(*) || '|' || domain || '|' || verdict FROM checks GROUP BY domain ORDER BY domain" | paste -sd,)"
    check "store: findings of the newest testing.test check" "warning|mode-testing" \
        "$(sqlite3 "$DB" "SELECT severity || '|' || code FROM check_findings WHERE check_id = (SELECT max(id) FROM checks WHERE domain = 'testing.test')")"
    check "store: policy facts" "enforce|604800|0" \
        "$(sqlite3 "$DB" "SELECT sts_mode || '|' || sts_max_age || '|' || (policy_cert_days < 398) FROM checks WHERE domain = 'good.test'")"
    check "store: result JSON kept" "good.test" "$(sqlite3 "$DB" "SELECT json_extract(result, '$.domain') FROM checks WHERE domain = 'good.test'")"
fi

echo "# total $((($(date +%s%N) - T0) / 1000000)) ms"
finish
