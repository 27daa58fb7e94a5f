#!/usr/bin/env bash
# tlsrpt-web over real HTTP (curl): security headers on every answer, GET/HEAD only, parameter
# refusals, /api/analysis equal to tlsrpt-report --format json for the same windows and domains,
# loopback by default, basic auth with a crypt(3) hash from the config file, TLS, reading while the
# collector writes, no write to the database, exit statuses.
. "$(dirname "$0")/lib.sh"
. "$TLSRPT_SOURCE_DIR/tests/web/lib_web.sh"

# start_web LOG ARGS...: starts tlsrpt-web on a free port, sets PID and URL (or fails).
start_web() {
    local log=$1 i
    shift
    "$WEB" --now "$WEB_NOW" "$@" 2> "$log" &
    PID=$!
    URL=
    for i in $(seq 1 100); do
        URL=$(grep -o 'listening on https\?://[^ ]*/' "$log" | head -1 | sed 's/listening on //')
        URL=${URL%/}
        [ -n "$URL" ] && return 0
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
    done
    return 1
}
stop_web() {
    kill -TERM "$PID" 2>/dev/null
    wait "$PID"
}
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
header() { # header NAME ARGS...: the value of one response header of a GET
    local name=$1
    shift
    curl -s -D - -o /dev/null "$@" | tr -d '\r' | sed -n "s/^$name: //Ip" | head -1
}
# same_json A B: the two files hold equal JSON documents (order of keys ignored).
same_json() {
    python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' "$1" "$2"
}

need_programs && make_fixture || { finish; exit 1; }
DB=$WORK/fx/fixture.db
sha_before=$(cat "$DB" "$DB-wal" 2>/dev/null | sha256sum)

if ! start_web "$WORK/web.log" --db "$DB" --listen 127.0.0.1:0; then
    not_ok "tlsrpt-web starts: $(cat "$WORK/web.log")"
    finish
    exit 1
fi
ok "tlsrpt-web starts on a free loopback port ($URL)"

# ---- security headers, on pages, errors, static files and refusals ----
for path in / "domain?d=ready.example" nope static/style.css "?window=5"; do
    csp=$(header Content-Security-Policy "$URL/$path")
    case "$csp" in
    *"default-src 'none'"*"frame-ancestors 'none'"*) ok "CSP on /$path" ;;
    *) not_ok "CSP on /$path: '$csp'" ;;
    esac
    case "$csp" in *unsafe-inline* | *unsafe-eval* | *"script-src"*) not_ok "CSP allows script on /$path" ;; esac
    check "nosniff on /$path" nosniff "$(header X-Content-Type-Options "$URL/$path")"
    check "Referrer-Policy on /$path" no-referrer "$(header Referrer-Policy "$URL/$path")"
    check "X-Frame-Options on /$path" DENY "$(header X-Frame-Options "$URL/$path")"
done
check "CSP on a 405" 1 "$(curl -s -D - -o /dev/null -X POST "$URL/" | grep -ci "frame-ancestors 'none'")"

# ---- GET and HEAD only ----
for m in POST PUT DELETE PATCH OPTIONS; do
    check "$m is refused" 405 "$(status -X $m "$URL/")"
done
check "405 says what is allowed" "GET, HEAD" "$(curl -s -D - -o /dev/null -X POST "$URL/" | tr -d '\r' | sed -n 's/^Allow: //Ip')"
check "a POST body is not read as a report" 405 "$(status -X POST --data-binary @"$TLSRPT_SOURCE_DIR/tests/web/xss/xss-org.json" "$URL/")"
get_len=$(curl -s "$URL/" | wc -c)
head_out=$(curl -s -I "$URL/" | tr -d '\r')
check "HEAD answers 200" 1 "$(echo "$head_out" | grep -c '^HTTP/1.1 200')"
check "HEAD announces the GET length" "$get_len" "$(echo "$head_out" | sed -n 's/^Content-Length: //Ip')"
check "HEAD has no body" 0 "$(curl -s --head "$URL/" -o /dev/null -w '%{size_download}')"

# ---- parameters validated and bounded ----
check "unknown parameter" 400 "$(status "$URL/?bogus=1")"
check "bad window" 400 "$(status "$URL/?window=5")"
check "parameter twice" 400 "$(status "$URL/?window=7&window=7")"
check "page 0" 400 "$(status "$URL/reports?page=0")"
check "id not a number" 400 "$(status "$URL/report?id=1%20OR%201=1")"
check "NUL in a value" 400 "$(status "$URL/domain?d=a%00b")"
check "invalid UTF-8" 400 "$(status "$URL/domain?d=%FF")"
check "a 2000-byte value" 400 "$(status "$URL/domain?d=$(head -c 2000 /dev/zero | tr '\0' a)")"
check "100 parameters" 400 "$(status "$URL/api/analysis?$(for i in $(seq 100); do printf 'd=x%d&' "$i"; done)")"
check "inverted custom window" 400 "$(status "$URL/?window=custom&since=2026-03-10&until=2026-03-01")"
check "unknown path" 404 "$(status "$URL/etc/passwd")"
check "dot-dot path" 404 "$(status --path-as-is "$URL/static/../../etc/passwd")"
check "a request line over the header cap" 1 "$(code=$(status "$URL/?d=$(head -c 70000 /dev/zero | tr '\0' a)"); [ "$code" -ge 400 ] && echo 1 || echo "$code")"
check "bookmarkable window link" 200 "$(status "$URL/domain?d=ready.example&window=custom&since=2026-03-01&until=2026-03-14")"

# ---- the API is tlsrpt-report --format json ----
api_vs_report() { # DESCRIPTION QUERY REPORT-ARGS...
    local what=$1 q=$2
    shift 2
    curl -s "$URL/api/analysis?$q" > "$WORK/api.json"
    "$REPORT" --db "$DB" --format json --now "$WEB_NOW" "$@" > "$WORK/report.json"
    if [ "$(header Content-Type "$URL/api/analysis?$q")" = "application/json; charset=utf-8" ] &&
        same_json "$WORK/api.json" "$WORK/report.json"; then
        ok "API = tlsrpt-report: $what"
    else
        not_ok "API = tlsrpt-report: $what"
        diff <(python3 -m json.tool --sort-keys "$WORK/api.json") \
            <(python3 -m json.tool --sort-keys "$WORK/report.json") | head -20
    fi
}
api_vs_report "default window, all domains" "" --since 14d
api_vs_report "7 days, all domains" "window=7" --since 7d
api_vs_report "30 days" "window=30" --since 30d
api_vs_report "90 days, two domains" "window=90&d=ready.example&d=broken-mx.example" \
    --since 90d --domain ready.example --domain broken-mx.example
for d in ready.example broken-mx.example sparse.example enforcing.example; do
    api_vs_report "14 days, $d" "window=14&d=$d" --since 14d --domain "$d"
done
api_vs_report "custom window" "window=custom&since=2026-03-03&until=2026-03-09" \
    --since 2026-03-03 --until 2026-03-10
api_vs_report "a domain without reports" "d=nothing.example" --since 14d --domain nothing.example

# ---- the readiness thresholds are tlsrpt-report's options ----
stop_web
if start_web "$WORK/web-t.log" --db "$DB" --listen 127.0.0.1:0 --max-failure-rate 20% \
    --min-days 2 --min-organizations 1 --min-sessions 5 --top 3; then
    api_vs_report "thresholds as options" "window=14" --since 14d --max-failure-rate 20% \
        --min-days 2 --min-organizations 1 --min-sessions 5 --top 3
    check "a threshold changes a verdict" ready "$(curl -s "$URL/api/analysis?d=sparse.example" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["domains"][0]["verdict"])')"
else
    not_ok "start with thresholds: $(cat "$WORK/web-t.log")"
fi

# ---- read while the collector writes (WAL), and never write ----
cp "$DB" "$WORK/live.db"
stop_web
check "SIGTERM stops it with status 0" 0 "$?"
check "the web never wrote the database" "$sha_before" "$(cat "$DB" "$DB-wal" 2>/dev/null | sha256sum)"
start_web "$WORK/web2.log" --db "$WORK/live.db" --listen 127.0.0.1:0 || not_ok "restart on the live copy"
before=$(curl -s "$URL/api/analysis?window=90" | python3 -c 'import json,sys; print(sum(d["reports"] for d in json.load(sys.stdin)["domains"]))')
"$GEN" --domains 40 --days 10 --seed 9 --today 2026-03-15 --format json --quiet --out "$WORK/more"
# (timeout: a hung import must fail this test, not stall it until ctest kills it)
timeout 120 "$COLLECTOR" import --db "$WORK/live.db" "$WORK/more" > "$WORK/import.log" 2>&1 &
IMPORT=$!
codes=""
while kill -0 "$IMPORT" 2>/dev/null; do
    codes="$codes $(status "$URL/?window=90") $(status "$URL/reports?window=90&page=2")"
done
wait "$IMPORT"
check "the collector imports while the web reads (124: import hung)" 0 "$?"
check "every page read during the import answered 200" "" "$(echo "$codes" | tr ' ' '\n' | grep -v '^$' | grep -v '^200$' | sort -u)"
after=$(curl -s "$URL/api/analysis?window=90" | python3 -c 'import json,sys; print(sum(d["reports"] for d in json.load(sys.stdin)["domains"]))')
check "new reports show without a restart" 1 "$([ "$after" -gt "$before" ] && echo 1 || echo "$before -> $after")"
stop_web

# ---- loopback by default; beyond it only with auth (or explicitly without) ----
"$WEB" --db "$DB" --listen 0.0.0.0:0 > /dev/null 2>&1
check "a public address without auth is refused" 64 "$?"
if start_web "$WORK/web3.log" --db "$DB" --listen 0.0.0.0:0 --insecure-no-auth; then
    ok "--insecure-no-auth allows it"
    stop_web
else
    not_ok "--insecure-no-auth allows it"
fi
"$WEB" --help | grep -q "127.0.0.1:8080"
check "the default listen address is loopback" 0 "$?"

# ---- basic auth, the hash from the config file ----
hash=$(printf 'correct horse\n' | "$WEB" --hash-password)
check "--hash-password makes a yescrypt hash" '$y$' "${hash:0:3}"
printf '# tlsrpt.conf\n[web]\nauth-user = admin\nauth-password-hash = %s\n' "$hash" > "$WORK/tlsrpt.conf"
if start_web "$WORK/web4.log" --config "$WORK/tlsrpt.conf" --db "$DB" --listen 127.0.0.1:0; then
    check "no credentials" 401 "$(status "$URL/")"
    check "a challenge" 1 "$(curl -s -D - -o /dev/null "$URL/" | grep -ci '^WWW-Authenticate: Basic realm="tlsrpt"')"
    check "wrong password" 401 "$(status -u 'admin:wrong horse' "$URL/")"
    check "wrong user" 401 "$(status -u 'root:correct horse' "$URL/")"
    check "right credentials" 200 "$(status -u 'admin:correct horse' "$URL/")"
    check "right credentials again (cached)" 200 "$(status -u 'admin:correct horse' "$URL/static/style.css")"
    check "CSP on a 401" 1 "$(curl -s -D - -o /dev/null "$URL/" | grep -ci "frame-ancestors 'none'")"
    stop_web
else
    not_ok "start with auth from the config file: $(cat "$WORK/web4.log")"
fi
printf '[web]\nauth-user = admin\nauth-password-hash = plaintext\n' > "$WORK/bad.conf"
"$WEB" --config "$WORK/bad.conf" --db "$DB" --listen 127.0.0.1:0 > /dev/null 2>&1
check "a plaintext password hash is refused" 78 "$?"

# ---- TLS ----
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 2 \
    -subj /CN=localhost > /dev/null 2>&1
if start_web "$WORK/web5.log" --db "$DB" --listen 127.0.0.1:0 --tls-cert "$WORK/cert.pem" \
    --tls-key "$WORK/key.pem"; then
    check "HTTPS URL announced" https "${URL%%:*}"
    port=${URL##*:}
    check "HTTPS page, certificate verified" 200 "$(status --cacert "$WORK/cert.pem" --resolve "localhost:$port:127.0.0.1" "https://localhost:$port/")"
    check "HSTS over TLS" "max-age=31536000" "$(header Strict-Transport-Security -k "$URL/")"
    check "plain HTTP on the TLS port fails" 1 "$(status "http://${URL#https://}" | grep -cv '^200$')"
    stop_web
else
    not_ok "start with TLS: $(cat "$WORK/web5.log")"
fi

# ---- exit statuses ----
"$WEB" --db "$WORK/missing.db" --listen 127.0.0.1:0 > /dev/null 2>&1
check "missing database" 73 "$?"
"$WEB" --bogus > /dev/null 2>&1
check "unknown option" 64 "$?"
"$WEB" --db "$DB" --listen 127.0.0.1 > /dev/null 2>&1
check "listen without a port" 64 "$?"
"$WEB" --help > /dev/null
check "--help" 0 "$?"
finish
