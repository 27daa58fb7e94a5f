#!/usr/bin/env bash
# test_https_proxy.sh - `serve --plain-http` behind a (pretend) reverse proxy on IPv6 loopback, set
# up from a config file: X-Forwarded-For from a trusted proxy, the per-client rate limit (429), the
# policy-domain allow-list (403, not stored), the per-IP connection cap; and the exit codes of bad
# configurations.
. "$(dirname "$0")/test_https_common.bash"

DB=$WORK/p.db
# --- configuration errors: clear message, distinct exit status, nothing started
cat >"$WORK/bad.conf" <<EOF
# a typo on line 3
[serve]
prot = 8080
EOF
rc=0
"$BIN" serve --config "$WORK/bad.conf" --plain-http --check-config >"$WORK/bad.out" 2>&1 || rc=$?
expect "unknown key in the config file: exit 78" "78" "$rc"
grep -q "bad.conf:3: unknown key 'prot' in \[serve\]" "$WORK/bad.out" ||
    fail "message: $(cat "$WORK/bad.out")"
ok "the message names file, line and key"
printf '[serve]\nmax-body = 4T\n' >"$WORK/bad2.conf"
rc=0
"$BIN" serve --config "$WORK/bad2.conf" --plain-http --check-config >"$WORK/bad2.out" 2>&1 || rc=$?
expect "bad size in the config file: exit 78" "78" "$rc"
rc=0
"$BIN" serve --no-such-flag >/dev/null 2>&1 || rc=$?
expect "unknown flag: exit 64" "64" "$rc"
rc=0
"$BIN" serve --port 8443 >"$WORK/nocert.out" 2>&1 || rc=$?
expect "no certificate and no --plain-http: exit 64" "64" "$rc"
rc=0
"$BIN" serve --tls-cert "$WORK/missing.pem" --tls-key "$WORK/missing.key" --check-config \
    >"$WORK/missing.out" 2>&1 || rc=$?
expect "unreadable certificate: exit 78" "78" "$rc"
"$BIN" serve --help >"$WORK/help.out"
for opt in max-body max-decompressed max-connections max-connections-per-ip idle-timeout \
    request-timeout rate-limit allowed-domains tls-cert plain-http trusted-proxies maildir; do
    grep -q -- "--$opt" "$WORK/help.out" || fail "--help lacks --$opt"
done
ok "--help lists every limit and option"

# --- a proxy setup from a config file, with the Maildir watcher in the same process; flags win
FIX=${TLSRPT_SOURCE_DIR:?}/tests/fixtures/mail
mkdir -p "$WORK/md/new" "$WORK/md/cur" "$WORK/md/tmp"
cp "$FIX/body-gzip.eml" "$WORK/md/new/1.eml"
cat >"$WORK/p.conf" <<EOF
# tlsrpt test configuration
db = $DB

[serve]
listen = ::1
plain-http = yes
trusted-proxies = ::1
path = /tlsrpt
allowed-domains = example.com
rate-limit = 1
rate-burst = 3
max-connections-per-ip = 50
maildir = $WORK/md

[web]
port = 80
EOF
"$BIN" serve --config "$WORK/p.conf" --check-config >/dev/null 2>&1 ||
    fail "--check-config on a good file"
ok "--check-config accepts the file (other sections are ignored)"
start_server "$WORK/serve.log" --config "$WORK/p.conf" --max-connections-per-ip 4
grep -q "listening on http://\[::1\]:$PORT/tlsrpt" "$LOG" ||
    fail "listen line: $(grep listening "$LOG")"
ok "plain HTTP on IPv6 loopback"
URL="http://[::1]:$PORT/tlsrpt"
cp "$FIX/description-name.eml" "$WORK/md/tmp/2.eml"
mv "$WORK/md/tmp/2.eml" "$WORK/md/new/2.eml" # delivered while serving: inotify picks it up
GZ='Content-Type: application/tlsrpt+gzip'
post() { # XFF FILE
    curl -sS -o "$WORK/body" -D "$WORK/hdrs" -w '%{http_code}' -H "$GZ" -H "X-Forwarded-For: $1" \
        --data-binary @"$2" "$URL" || true
}
expect "report for an allowed domain via the proxy: 200" "200" \
    "$(post '6.6.6.6, 198.51.100.7' "$(report_gz p1 example.com)")"
expect "subdomain of an allowed domain (TLSA-style MX host): 200" "200" \
    "$(post 198.51.100.7 "$(report_gz p2 mail.example.com)")"
expect "report for another domain: 403" "403" "$(post 198.51.100.7 "$(report_gz p3 other.org)")"
expect "the 403 says why in one line" "reports for this policy domain are not accepted here" \
    "$(cat "$WORK/body")"
expect "4th request of client 198.51.100.7 (burst 3): 429" "429" \
    "$(post 198.51.100.7 "$(report_gz p4 example.com)")"
ra=$(tr -d '\r' <"$WORK/hdrs" | sed -n 's/^Retry-After: //p')
python3 -c "import sys; sys.exit(0 if 1 <= int('$ra') <= 60 else 1)" || fail "Retry-After '$ra'"
ok "429 carries Retry-After ($ra s)"
expect "another client behind the same proxy is not limited: 200" "200" \
    "$(post 198.51.100.8 "$(report_gz p5 example.com)")"

# --- per-IP connection cap: 4 idle connections are kept, a 5th is closed at once
cat >"$WORK/conns.py" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
held = [socket.create_connection(("::1", port)) for _ in range(4)]
time.sleep(0.3)
extra = socket.create_connection(("::1", port))
extra.settimeout(3)
try:
    closed = extra.recv(1) == b""
except ConnectionResetError:
    closed = True
except socket.timeout:
    closed = False
for s in held:
    s.settimeout(0.2)
    try:
        if s.recv(1) == b"":
            print("a held connection was closed"); sys.exit(1)
    except socket.timeout:
        pass
print("closed" if closed else "open")
PY
expect "5th connection from one address with max-connections-per-ip 4: closed" "closed" \
    "$(python3 "$WORK/conns.py" "$PORT")"

stop_server
expect "serve exits 0" "0" "$STOP_RC"
expect "accepted reports stored" "3" \
    "$(sql "SELECT count(*) FROM reports r JOIN receipts c ON c.id = r.receipt_id
            WHERE c.kind = 'http'")"
expect "both report mails stored by the in-process Maildir watcher" "2" \
    "$(sql "SELECT count(*) FROM receipts WHERE kind = 'mail'")"
expect "and moved to cur/ once stored" "0" "$(find "$WORK/md/new" -type f | wc -l)"
grep -q 'maildir: stopped: imported 2' "$LOG" || fail "no Maildir summary at shutdown"
ok "the Maildir watcher stopped with the server and logged its totals"
expect "the refused domain was not stored at all" "0" \
    "$(sql "SELECT count(*) FROM policies WHERE policy_domain = 'other.org'")"
expect "nor its raw bytes" "3" \
    "$(sql "SELECT count(DISTINCT raw_id) FROM receipts WHERE kind = 'http'")"
expect "the client is the right-most untrusted X-Forwarded-For entry" "198.51.100.7" \
    "$(receipt_of p1 reference)"
meta=$(receipt_of p1 meta)
case "$meta" in *'"peer":"::1"'*) ok "the proxy is kept as peer in the meta ($meta)" ;;
*) fail "meta: $meta" ;; esac
grep -q 'refused domain 1,' "$LOG" || fail "refused-domain count not in the summary"
ok "refused reports are counted in the shutdown summary"
echo "$PASSED passed, 0 failed"
