#!/usr/bin/env bash
# test_https_signals.sh - SIGHUP swaps the certificate without dropping the listener (a bad pair is
# refused and the old one kept); 503 with Retry-After while the database is locked by another
# process and when the writer queue is full; the server recovers afterwards.
. "$(dirname "$0")/test_https_common.bash"

make_ca
make_cert one "first.test"
make_cert two "second.test"
cp "$WORK/one.pem" "$WORK/live.pem"
cp "$WORK/one.key" "$WORK/live.key"
DB=$WORK/s.db
start_server "$WORK/serve.log" --db "$DB" --listen 127.0.0.1 --tls-cert "$WORK/live.pem" \
    --tls-key "$WORK/live.key" --max-queue 1 --retry-after 7 --rate-limit 0
pid=$SRV_PID
URL=https://127.0.0.1:$PORT/
GZ='Content-Type: application/tlsrpt+gzip'

served_cn() {
    openssl s_client -connect "127.0.0.1:$PORT" -servername localhost -CAfile "$WORK/ca.pem" \
        </dev/null 2>/dev/null | openssl x509 -noout -subject | sed 's/.*CN *= *//'
}

# --- certificate renewal
expect "the first certificate is served" "first.test" "$(served_cn)"
# An open keep-alive connection made before the swap must survive it.
report_gz ka1 >/dev/null
report_gz ka2 >/dev/null
exec 3< <(python3 - "$PORT" "$WORK/ca.pem" "$WORK/ka1.json.gz" "$WORK/ka2.json.gz" <<'PY'
import http.client, ssl, sys, time
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
c = http.client.HTTPSConnection("localhost", port, context=ctx, timeout=10)
hdrs = {"Content-Type": "application/tlsrpt+gzip"}
c.request("POST", "/", open(sys.argv[3], "rb").read(), hdrs)
r1 = c.getresponse(); r1.read()
local = c.sock.getsockname()
print("ready", flush=True)
time.sleep(2)
c.request("POST", "/", open(sys.argv[4], "rb").read(), hdrs)
r2 = c.getresponse(); r2.read()
print(r1.status, r2.status, "same connection" if c.sock.getsockname() == local else "reconnected",
      flush=True)
PY
)
read -r line <&3
expect "a keep-alive connection is open" "ready" "$line"
cp "$WORK/two.pem" "$WORK/live.pem"
cp "$WORK/two.key" "$WORK/live.key"
kill -HUP "$pid"
sleep 0.5
expect "after SIGHUP the renewed certificate is served" "second.test" "$(served_cn)"
kill -0 "$pid" || fail "serve died on SIGHUP"
expect "same process, same port" "$pid" "$SRV_PID"
read -r line <&3
expect "a keep-alive connection opened before the swap goes on working" "200 200 same connection" \
    "$line"
grep -q 'SIGHUP: certificate reloaded: subject CN=second.test' "$LOG" || fail "no reload log line"
ok "the reload is logged with the new subject"
# A broken renewal (key of another certificate) is refused; the good pair stays in use.
cp "$WORK/one.key" "$WORK/live.key"
kill -HUP "$pid"
sleep 0.5
expect "after a SIGHUP with a mismatched key the previous certificate stays" "second.test" \
    "$(served_cn)"
grep -q 'SIGHUP: certificate not reloaded, the old one stays' "$LOG" || fail "no error logged"
ok "the failed reload is logged as an error"
r=$(https_post "$URL" -H "$GZ" --data-binary @"$(report_gz before-lock)")
expect "posting still works after the reloads" "200|" "$r"

# --- the database is locked by another process for longer than the busy timeout (5 s)
cat >"$WORK/lock.py" <<'PY'
import sqlite3, sys, time, os
con = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)
con.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
time.sleep(float(sys.argv[3]))
con.execute("ROLLBACK")
PY
python3 "$WORK/lock.py" "$DB" "$WORK/locked" 7.5 &
locker=$!
for _ in $(seq 1 50); do [ -e "$WORK/locked" ] && break; sleep 0.1; done
t0=$(date +%s.%N)
# 1st waits in the writer (its BEGIN blocks on the lock), 2nd fills the queue (max-queue 1),
# 3rd finds the queue full: 503 at once.
(https_post "$URL" -H "$GZ" --data-binary @"$(report_gz locked1)" -D "$WORK/h1" >"$WORK/r1") &
p1=$!
sleep 0.5
(https_post "$URL" -H "$GZ" --data-binary @"$(report_gz locked2)" >"$WORK/r2") &
p2=$!
sleep 0.5
r3=$(https_post "$URL" -H "$GZ" --data-binary @"$(report_gz locked3)" -D "$WORK/h3")
expect "queue full (max-queue 1): 503" "503|too many reports waiting, try again later" "$r3"
expect "the queue-full 503 has Retry-After" "7" \
    "$(tr -d '\r' <"$WORK/h3" | sed -n 's/^Retry-After: //p')"
wait $p1
expect "the request whose transaction could not start: 503 without internals" \
    "503|temporarily unable to store reports, try again later" "$(cat "$WORK/r1")"
expect "... with Retry-After" "7" "$(tr -d '\r' <"$WORK/h1" | sed -n 's/^Retry-After: //p')"
wait $p2
wait $locker
expect "the queued request is stored once the lock is gone: 200" "200|" "$(cat "$WORK/r2")"
r=$(https_post "$URL" -H "$GZ" --data-binary @"$(report_gz locked1)")
expect "the sender's retry of the 503'd report: 200" "200|" "$r"
grep -q 'database' "$LOG" || fail "the database error is not logged"
ok "the database error is in the log (not in the response)"

stop_server
expect "serve exits 0" "0" "$STOP_RC"
expect "stored: ka1, ka2, before-lock, locked1 (retry), locked2; not locked3" \
    "before-lock,ka1,ka2,locked1,locked2" \
    "$(sql "SELECT group_concat(report_id, ',') FROM
            (SELECT report_id FROM reports ORDER BY report_id)")"
echo "$PASSED passed, 0 failed"
