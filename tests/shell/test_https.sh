#!/usr/bin/env bash
# test_https.sh - `serve` over real TLS (a CA and certificate made here, curl as the client): every
# answer code, the caps (Content-Length, streamed, gzip bomb), a slowloris client, 200 concurrent
# posters, graceful SIGTERM with a request in flight; then the database holds exactly what was
# accepted.
. "$(dirname "$0")/test_https_common.bash"

make_ca
make_cert srv localhost
DB=$WORK/t.db
start_server "$WORK/serve.log" --db "$DB" --listen 127.0.0.1 --tls-cert "$WORK/srv.pem" \
    --tls-key "$WORK/srv.key" --path /tlsrpt --max-body 256k --max-drain 256k --rate-limit 0 \
    --max-connections-per-ip 300 --threads 2
URL=https://127.0.0.1:$PORT/tlsrpt
GZ='Content-Type: application/tlsrpt+gzip'
accepted=0

# --- accepted bodies
r=$(https_post "$URL" -H "$GZ" --data-binary @"$(report_gz gz1)" -A "probe-agent/1.0")
expect "gzip report: 200 with an empty body" "200|" "$r"
accepted=$((accepted + 1))
report_json json1 >"$WORK/json1.json"
r=$(https_post "$URL" -H 'Content-Type: application/tlsrpt+json' --data-binary @"$WORK/json1.json")
expect "JSON report: 200" "200|" "$r"
accepted=$((accepted + 1))
r=$(https_post "$URL" -H "$GZ" --data-binary @"$WORK/gz1.json.gz")
expect "duplicate: 200" "200|" "$r"
r=$(https_post "$URL" -H 'Content-Type: application/json' --data-binary @"$(report_gz tol1)")
expect "application/json with a gzip body (sniffed): 200" "200|" "$r"
report_json tol2 >"$WORK/tol2.json"
r=$(https_post "$URL" -H 'Content-Type:' --data-binary @"$WORK/tol2.json")
expect "no Content-Type (sniffed): 200" "200|" "$r"
r=$(https_post "$URL" -H 'Content-Type: application/octet-stream' \
    --data-binary @"$(report_gz tol3)")
expect "application/octet-stream: 200" "200|" "$r"
r=$(https_post "$URL" -H 'Content-Type: application/gzip' --data-binary @"$(report_gz tol4)")
expect "application/gzip: 200" "200|" "$r"
gzip -c "$(report_gz ce1)" >"$WORK/ce1.double.gz"
r=$(https_post "$URL" -H "$GZ" -H 'Content-Encoding: gzip' --data-binary @"$WORK/ce1.double.gz")
expect "Content-Encoding: gzip over a gzip report is undone: 200" "200|" "$r"
r=$(https_post "$URL" -H "$GZ" -H 'X-Forwarded-For: 6.6.6.6' --data-binary @"$(report_gz xff1)")
expect "X-Forwarded-For from an untrusted peer: 200" "200|" "$r"
accepted=$((accepted + 6))

# --- refused
printf 'this is not a report' >"$WORK/junk"
r=$(https_post "$URL" -H "$GZ" --data-binary @"$WORK/junk")
case "$r" in
"400|"?*) ok "garbage: 400 with a reason line ($r)" ;;
*) fail "garbage: got '$r'" ;;
esac
report_json bad1 | sed 's/"policies"/"policiez"/' >"$WORK/bad1.json"
r=$(https_post "$URL" -H 'Content-Type: application/tlsrpt+json' --data-binary @"$WORK/bad1.json")
case "$r" in
"400|"*polic*) ok "schema error: 400 naming the field ($r)" ;;
*) fail "schema: '$r'" ;;
esac
r=$(https_post "$URL" -H 'Content-Type: text/html' --data-binary @"$WORK/json1.json")
expect "text/html: 415" "415" "${r%%|*}"
r=$(https_post "$URL" -F "file=@$WORK/json1.json")
expect "multipart/form-data: 415" "415" "${r%%|*}"
r=$(https_post "$URL" -H "$GZ" -H 'Content-Encoding: br' --data-binary @"$WORK/gz1.json.gz")
expect "Content-Encoding: br: 415" "415" "${r%%|*}"
hdrs=$(curl -sS --cacert "$WORK/ca.pem" -o /dev/null -D - "$URL" | tr -d '\r')
expect "GET: 405" "HTTP/1.1 405 Method Not Allowed" "$(echo "$hdrs" | head -n1)"
expect "405 carries Allow: POST" "Allow: POST" "$(echo "$hdrs" | grep -i '^Allow:')"
r=$(https_post "https://127.0.0.1:$PORT/other" -H "$GZ" --data-binary @"$WORK/gz1.json.gz")
expect "POST outside --path: 404" "404" "${r%%|*}"

# --- caps
head -c 300000 /dev/urandom >"$WORK/big300k"
r=$(https_post "$URL" -H "$GZ" -H 'Expect:' --data-binary @"$WORK/big300k")
expect "over max-body with Content-Length, no Expect (drained): 413" "413" "${r%%|*}"
head -c 3000000 /dev/urandom >"$WORK/big3m"
r=$(https_post "$URL" -H "$GZ" --data-binary @"$WORK/big3m")
expect "far over max-body with Content-Length (refused before reading): 413" "413" "${r%%|*}"
r=$(https_post "$URL" -H "$GZ" -H 'Transfer-Encoding: chunked' --data-binary @"$WORK/big300k")
expect "over max-body without Content-Length (chunked, streamed): 413" "413" "${r%%|*}"
r=$(https_post "$URL" -H "$GZ" -H 'Transfer-Encoding: chunked' --data-binary @"$WORK/big3m")
case "${r%%|*}" in 413 | 100 | 000) ok "far over max-body chunked: connection closed (${r%%|*})" ;;
*) fail "far over max-body chunked: '$r'" ;; esac
python3 -c 'import gzip, sys
sys.stdout.buffer.write(gzip.compress(b"{\"a\":\"" + b"0" * (40 << 20), 9))' \
    >"$WORK/bomb.gz"
r=$(https_post "$URL" -H "$GZ" --data-binary @"$WORK/bomb.gz")
expect "gzip bomb ($(stat -c %s "$WORK/bomb.gz") bytes, 40 MiB inflated): 413" "413" "${r%%|*}"

# --- slowloris, on a second instance with short timeouts: two clients trickle a byte a second
# (under idle-timeout 3 s), one in the body and one in the headers; request-timeout is 4 s.
MAIN_PID=$SRV_PID
MAIN_PORT=$PORT
MAIN_LOG=$LOG
start_server "$WORK/slow.log" --db "$WORK/slow.db" --listen 127.0.0.1 --tls-cert "$WORK/srv.pem" \
    --tls-key "$WORK/srv.key" --path /tlsrpt --idle-timeout 3 --request-timeout 4
cat >"$WORK/slow.py" <<'PY'
import socket, ssl, sys, time
port, ca, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost")
s.settimeout(1.0)
if mode == "body":
    s.sendall(b"POST /tlsrpt HTTP/1.1\r\nHost: localhost\r\n"
              b"Content-Type: application/tlsrpt+json\r\nContent-Length: 100000\r\n\r\n")
    drip = b"{"
else:
    s.sendall(b"POST /tlsrpt HTTP/1.1\r\nHost: localhost\r\n")
    drip = b"X"
t0 = time.time()
while time.time() - t0 < 20:
    try:
        s.sendall(drip)
        data = s.recv(4096)
        if not data:
            break
        if b" 200 " in data.split(b"\r\n")[0]:
            print("got 200"); sys.exit(1)
    except (socket.timeout, TimeoutError):
        continue
    except (OSError, ssl.SSLError):
        break
print("%.1f" % (time.time() - t0))
PY
python3 "$WORK/slow.py" "$PORT" "$WORK/ca.pem" body >"$WORK/slow-body.out" 2>&1 &
slow1=$!
python3 "$WORK/slow.py" "$PORT" "$WORK/ca.pem" headers >"$WORK/slow-hdr.out" 2>&1 &
slow2=$!
sleep 1.5
r=$(https_post "https://127.0.0.1:$PORT/tlsrpt" -H "$GZ" --data-binary @"$(report_gz slowtime)")
expect "a normal post while slowloris clients are connected: 200" "200|" "$r"
wait $slow1 || fail "slow body client: $(cat "$WORK/slow-body.out")"
wait $slow2 || fail "slow header client: $(cat "$WORK/slow-hdr.out")"
for f in slow-body slow-hdr; do
    t=$(cat "$WORK/$f.out")
    python3 -c "import sys; sys.exit(0 if 3.0 <= float('$t') <= 8.0 else 1)" ||
        fail "$f: connection lasted $t s, want the 4 s request-timeout"
    ok "$f client dropped after $t s (request-timeout 4 s, idle-timeout 3 s)"
done
grep -q 'request not complete within 4 s (request-timeout)' "$WORK/slow.log" ||
    fail "no log line for the slowloris drop"
ok "the drop is logged"
stop_server
expect "the short-timeout instance stops with 0" "0" "$STOP_RC"
SRV_PID=$MAIN_PID
LOG=$MAIN_LOG
PORT=$MAIN_PORT

# --- 200 concurrent posters (curl --parallel), each a distinct report
cfg=$WORK/parallel.cfg
: >"$cfg"
for i in $(seq 1 200); do
    report_gz "par$i" >/dev/null
    [ "$i" -gt 1 ] && echo next >>"$cfg" # options after "next" apply to the next transfer only
    printf 'url = "%s"\ndata-binary = "@%s"\nheader = "%s"\noutput = "/dev/null"\n' \
        "$URL" "$WORK/par$i.json.gz" "$GZ" >>"$cfg"
    printf 'cacert = "%s"\nwrite-out = "%%{http_code}\\n"\nsilent\n' "$WORK/ca.pem" >>"$cfg"
done
curl -s -Z --parallel-max 200 --parallel-immediate --config "$cfg" >"$WORK/par.out" \
    2>"$WORK/par.err" || true
codes=$(sort "$WORK/par.out" | uniq -c | awk '{print $2":"$1}' | tr '\n' ' ')
expect "200 concurrent posters all answered 200" "200:200 " "$codes"
accepted=$((accepted + 200))
commits=$(sed -n 's/.*http: 127.0.0.1 POST \/tlsrpt 200 imported report=\([0-9]*\).*/\1/p' \
    "$WORK/serve.log" | wc -l)
[ "$commits" -ge "$accepted" ] || fail "log shows $commits imported answers, want $accepted"

# --- graceful stop: a request in flight when SIGTERM arrives still gets its 200
report_gz graceful >/dev/null
cat >"$WORK/inflight.py" <<'PY'
import os, socket, ssl, sys, time
port, ca, body, go = int(sys.argv[1]), sys.argv[2], open(sys.argv[3], "rb").read(), sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost")
s.sendall(b"POST /tlsrpt HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/tlsrpt+gzip\r\n"
          b"Content-Length: %d\r\n\r\n" % len(body) + body[:10])
print("half", flush=True)
t0 = time.time()
while not os.path.exists(go) and time.time() - t0 < 10:
    time.sleep(0.05)
s.sendall(body[10:])
s.settimeout(10)
print(s.recv(4096).split(b"\r\n")[0].decode(), flush=True)
PY
python3 "$WORK/inflight.py" "$PORT" "$WORK/ca.pem" "$WORK/graceful.json.gz" "$WORK/go" \
    >"$WORK/inflight.out" 2>&1 &
inflight=$!
for _ in $(seq 1 50); do grep -q half "$WORK/inflight.out" && break; sleep 0.1; done
kill -TERM "$SRV_PID"
sleep 0.5
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$WORK/ca.pem" "$URL" || true)
expect "after SIGTERM no new connection is accepted" "000" "$code"
touch "$WORK/go"
wait $inflight || true
expect "the in-flight request completed with 200" "HTTP/1.1 200 OK" \
    "$(tail -n1 "$WORK/inflight.out")"
accepted=$((accepted + 1))
stop_server
expect "serve exits 0 after SIGTERM" "0" "$STOP_RC"

# --- the database holds exactly the accepted reports
expect "reports in the database = reports answered 200 as new" "$accepted" \
    "$(sql 'SELECT count(*) FROM reports')"
expect "the duplicate was counted once" "1" \
    "$(sql "SELECT duplicates FROM reports WHERE report_id = 'gz1'")"
expect "both bad bodies and the bomb are kept as rejects" "3" \
    "$(sql 'SELECT count(*) FROM rejects')"
expect "a reject keeps its raw bytes" "20" \
    "$(sql 'SELECT r.size FROM raw_inputs r JOIN rejects j ON j.raw_id = r.id WHERE r.size = 20')"
expect "the bomb's reject says why" "too-large" \
    "$(sql "SELECT code FROM rejects WHERE code = 'too-large'")"
expect "nothing of the refused (413/415/404) bodies was stored" "0" \
    "$(sql "SELECT count(*) FROM raw_inputs WHERE size >= 262144")"
meta=$(receipt_of gz1 meta)
expect "receipt meta: client, User-Agent, TLS version, path" \
    "{\"client\":\"127.0.0.1\",\"content_type\":\"application/tlsrpt+gzip\",\"path\":\"/tlsrpt\",$(
    )\"tls\":\"TLS1.3\",\"user_agent\":\"probe-agent/1.0\"}" \
    "$meta"
expect "an untrusted X-Forwarded-For is not believed" "127.0.0.1" \
    "$(receipt_of xff1 reference)"
grep -q 'stopped: .*reports imported' "$WORK/serve.log" || fail "no shutdown summary in the log"
ok "shutdown summary logged"
echo "$PASSED passed, 0 failed"
