# test_https_common.bash - sourced by the test_https*.sh tests: a CA and server certificates made
# with the openssl CLI, `serve` started on a free loopback port, report generators, curl and sqlite
# helpers.
# Only loopback addresses are ever used.
set -euo pipefail

BIN=${TLSRPT_BUILD_DIR:?}/collector/tlsrpt-collector
export TLSRPT_CONFIG= # never read the machine's /etc/tlsrpt/tlsrpt.conf
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tlsrpt-https.XXXXXX")
PASSED=0
SRV_PID=
LOG=

cleanup() {
    if [ -n "$SRV_PID" ] && kill -0 "$SRV_PID" 2>/dev/null; then
        kill -KILL "$SRV_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*"
    if [ -n "$LOG" ] && [ -f "$LOG" ]; then
        echo "--- last lines of $LOG"
        tail -n 40 "$LOG"
    fi
    echo "$PASSED passed, 1 failed"
    exit 1
}

ok() {
    PASSED=$((PASSED + 1))
    echo "ok $PASSED - $*"
}

# expect WHAT WANT GOT
expect() {
    [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
    ok "$1"
}

# make_ca: $WORK/ca.pem, $WORK/ca.key
make_ca() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj "/CN=tlsrpt test CA" -keyout "$WORK/ca.key" -out "$WORK/ca.pem" 2>/dev/null
}

# make_cert NAME CN: $WORK/NAME.pem (signed by the CA, for localhost/127.0.0.1/::1), $WORK/NAME.key
make_cert() {
    local name=$1 cn=$2
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$cn" \
        -keyout "$WORK/$name.key" -out "$WORK/$name.csr" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n' >"$WORK/$name.ext"
    openssl x509 -req -in "$WORK/$name.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" \
        -CAcreateserial -days 2 -extfile "$WORK/$name.ext" -out "$WORK/$name.pem" 2>/dev/null
}

# start_server LOGFILE ARGS...: runs `serve --port 0 ARGS` in the background; sets SRV_PID, PORT.
start_server() {
    LOG=$1
    shift
    "$BIN" serve --port 0 "$@" >"$LOG" 2>&1 &
    SRV_PID=$!
    PORT=
    for _ in $(seq 1 100); do
        PORT=$(sed -n 's/.*listening on https\{0,1\}:\/\/[^ ]*:\([0-9][0-9]*\).*/\1/p' "$LOG" |
            head -n1)
        [ -n "$PORT" ] && return 0
        kill -0 "$SRV_PID" 2>/dev/null || fail "serve exited at start"
        sleep 0.1
    done
    fail "serve did not start listening within 10 s"
}

# stop_server: SIGTERM, then the exit status in STOP_RC (fails if it takes more than 20 s).
stop_server() {
    kill -TERM "$SRV_PID" 2>/dev/null || true
    for _ in $(seq 1 200); do
        kill -0 "$SRV_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$SRV_PID" 2>/dev/null && fail "serve still running 20 s after SIGTERM"
    STOP_RC=0
    wait "$SRV_PID" || STOP_RC=$?
    SRV_PID=
}

# report_json ID [DOMAIN]: a valid TLS-RPT report with report-id ID.
report_json() {
    local id=$1 domain=${2:-example.com}
    printf '{"organization-name":"Test Org","date-range":{"start-datetime":"2024-03-01T00:00:00Z",'
    printf '"end-datetime":"2024-03-01T23:59:59Z"},"contact-info":"tlsrpt@reporter.example",'
    printf '"report-id":"%s","policies":[{"policy":{"policy-type":"sts","policy-string":' "$id"
    printf '["version: STSv1","mode: testing","mx: mx.%s","max_age: 86400"],' "$domain"
    printf '"policy-domain":"%s","mx-host":["mx.%s"]},"summary":' "$domain" "$domain"
    printf '{"total-successful-session-count":100,"total-failure-session-count":1},'
    printf '"failure-details":[{"result-type":"certificate-expired","sending-mta-ip":"192.0.2.1",'
    printf '"receiving-mx-hostname":"mx.%s","receiving-ip":"198.51.100.2",' "$domain"
    printf '"failed-session-count":1}]}]}\n'
}

# report_gz ID [DOMAIN]: writes $WORK/ID.json.gz, prints its path.
report_gz() {
    report_json "$@" | gzip -c >"$WORK/$1.json.gz"
    echo "$WORK/$1.json.gz"
}

# sql QUERY: first column of the first row, through python3's sqlite3 (no sqlite3 CLI needed).
sql() {
    python3 - "$DB" "$1" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], timeout=10)
row = con.execute(sys.argv[2]).fetchone()
print("" if row is None else row[0])
PY
}

# receipt_of REPORT-ID COLUMN: a column of the first receipt of that report.
receipt_of() {
    sql "SELECT c.$2 FROM receipts c JOIN reports r ON r.receipt_id = c.id WHERE r.report_id = '$1'"
}

# https_post URL CURL-ARGS...: prints "CODE|BODY" (body's first line).
https_post() {
    local url=$1
    shift
    local out="$WORK/resp.$$.$RANDOM"
    local code
    code=$(curl -sS --max-time 30 --cacert "$WORK/ca.pem" -o "$out" -w '%{http_code}' "$@" "$url" \
        2>/dev/null) || true
    printf '%s|%s' "${code:-000}" "$(head -n1 "$out" 2>/dev/null)"
    rm -f "$out"
}
