# check_peers.bash - sourced (after lib.sh) by the tests that run the live check against real
# servers on loopback: test_check.sh (tlsrpt-check) and test_serve_check.sh (serve --check-domains).
# check_peers_start starts and checks them: nsd (one zone per scenario of tests/checker/scenarios.py),
# an HTTPS policy peer (certificate by SNI, answer by Host) and aiosmtpd SMTP peers with STARTTLS,
# all with a test CA made here. Afterwards:
#   DNS_PORT, HTTPS_PORT, SMTP_PORT   the peers' ports (nsd on 127.0.0.1; SMTP on 127.0.0.1/.3/.4/.6)
#   S                                 state directory ($S/pki/ca.pem is the test CA)
#   T, PY                             tests/checker and the python that has aiosmtpd
# Every process started here (and any the test adds as "$S"/NAME.pid) is stopped on exit. Nothing
# here talks to any non-loopback address.
T="$TLSRPT_SOURCE_DIR/tests/checker"
PY=/usr/bin/python3 # Debian's python: aiosmtpd is installed for it, not for pyenv's python3
S="$WORK/state"
mkdir -p "$S"

stop_all() {
    local p
    for p in "$S"/*.pid; do
        [ -s "$p" ] && kill "$(cat "$p")" 2>/dev/null
    done
}
trap 'stop_all; rm -rf "$WORK"' EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# wait_file FILE: up to 5 s for a peer to write its port file
wait_file() {
    local i
    for i in $(seq 1 100); do
        [ -s "$1" ] && return 0
        sleep 0.05
    done
    return 1
}

# check_peers_start: the prerequisites, then every peer. On any failure: not_ok, finish, exit.
check_peers_start() {
    local t0 tool attempt dns_ready=0
    t0=$(date +%s%N)
    for tool in nsd nsd-checkconf openssl certtool sqlite3; do
        command -v "$tool" >/dev/null || { not_ok "prerequisite $tool missing (scripts/setup.sh)"; finish; exit; }
    done
    $PY -c 'import aiosmtpd' 2>/dev/null || { not_ok "python3-aiosmtpd missing"; finish; exit; }

    # nsd needs a concrete port: pick one free for UDP and TCP, retry if another process takes it.
    for attempt in 1 2 3; do
        DNS_PORT=$($PY -c '
import socket
t = socket.socket(); t.bind(("127.0.0.1", 0)); p = t.getsockname()[1]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", p)); print(p)')
        $PY "$T/setup.py" "$S" "$DNS_PORT" || { not_ok "setup.py failed"; finish; exit; }
        nsd-checkconf "$S/nsd.conf" || { not_ok "nsd.conf invalid"; finish; exit; }
        /usr/sbin/nsd -c "$S/nsd.conf" || continue
        # The pidfile appears before nsd answers: probe with a real query (SOA good.test).
        if $PY - "$DNS_PORT" <<'PYEOF'; then dns_ready=1; break; fi
import socket, sys, time
q = bytes.fromhex("1234000000010000000000000467" "6f6f6404746573740000060001")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.1)
for _ in range(50):
    try:
        s.sendto(q, ("127.0.0.1", int(sys.argv[1])))
        if s.recv(512)[:2] == b"\x12\x34":
            sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
PYEOF
        [ -s "$S/nsd.pid" ] && kill "$(cat "$S/nsd.pid")"
    done
    [ "$dns_ready" = 1 ] && ok "nsd answers on 127.0.0.1@$DNS_PORT" || { not_ok "nsd did not start"; finish; exit; }

    $PY "$T/https_peer.py" "$S" "$S/https.port" 2>"$S/https.log" &
    echo $! >"$S/https.pid"
    $PY "$T/smtp_peer.py" "$S" 127.0.0.1 0 "$S/smtp.port" 2>"$S/smtp1.log" &
    echo $! >"$S/smtp1.pid"
    wait_file "$S/smtp.port" && wait_file "$S/https.port" || { not_ok "peers did not start"; finish; exit; }
    SMTP_PORT=$(cat "$S/smtp.port")
    HTTPS_PORT=$(cat "$S/https.port")
    # Same port on other loopback addresses: one MX without STARTTLS, one that never speaks, one that
    # injects plaintext after its 220 to STARTTLS.
    $PY "$T/smtp_peer.py" "$S" 127.0.0.3 "$SMTP_PORT" "$S/smtp3.port" --no-starttls 2>"$S/smtp3.log" &
    echo $! >"$S/smtp3.pid"
    $PY "$T/smtp_peer.py" "$S" 127.0.0.4 "$SMTP_PORT" "$S/smtp4.port" --silent 2>"$S/smtp4.log" &
    echo $! >"$S/smtp4.pid"
    $PY "$T/smtp_peer.py" "$S" 127.0.0.6 "$SMTP_PORT" "$S/smtp6.port" --inject 2>"$S/smtp6.log" &
    echo $! >"$S/smtp6.pid"
    wait_file "$S/smtp3.port" && wait_file "$S/smtp4.port" && wait_file "$S/smtp6.port" \
        || { not_ok "SMTP peers on .3/.4/.6 did not start"; cat "$S"/smtp*.log; finish; exit; }
    ok "peers up: HTTPS $HTTPS_PORT, SMTP $SMTP_PORT on 127.0.0.1/.3/.4/.6 ($((($(date +%s%N) - t0) / 1000000)) ms with PKI)"
}

# expected_codes DOMAIN: the scenario's finding codes, sorted, comma-separated ("-" when none).
expected_codes() { $PY "$T/expect.py" | awk -v d="$1" '$1 == d { print $3 }'; }
