#!/usr/bin/env bash
# http_bench.sh - throughput and latency of `tlsrpt-collector serve` over TLS with keep-alive on
# loopback, driven by wrk (Debian package) posting distinct ~1 KB gzipped reports, compared in the
# same run with http_baseline: libmicrohttpd with the same TLS, flags and threads, answering 200
# without storing. Prints requests/s, p50/p99, the 2xx count against the new rows, the ratio to the
# bound, p50/p99 at half the measured peak rate, and the ingest ceiling (the same bodies through
# `import`, no HTTP, with the read + gunzip + json_loadb loop of the same bodies that import_bench
# runs first). Targets: ratio >= 0.5, p99 < 20 ms at half the peak.
#
#   bench/http_bench.sh [BUILD_DIR] [SECONDS] [CONNECTIONS]
# Only 127.0.0.1 is ever a target; each wrk run is bounded by SECONDS.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
secs=${2:-10}
conns=${3:-32}
wthreads=2    # wrk threads
sthreads=2    # server event threads, the same for both servers
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/tlsrpt-bench.XXXXXX")
pid=
cleanup() {
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
export TLSRPT_CONFIG=

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=bench CA" \
    -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
    -keyout "$work/srv.key" -out "$work/srv.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$work/ext"
openssl x509 -req -in "$work/srv.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
    -days 1 -extfile "$work/ext" -out "$work/srv.pem" 2>/dev/null

wait_port() { # LOG PATTERN
    for _ in $(seq 1 100); do
        p=$(sed -n "$2" "$1" | head -n1)
        [ -n "$p" ] && { echo "$p"; return 0; }
        sleep 0.1
    done
    echo "server did not start: $(cat "$1")" >&2
    exit 1
}

# run_wrk PORT DELAY_MS -> the BENCH line
run_wrk() {
    THREADS=$wthreads BODIES=$work/bodies DELAY_MS=$2 wrk -t"$wthreads" -c"$conns" -d"${secs}s" \
        --timeout 10s -s "$top/bench/http_post.lua" "https://127.0.0.1:$1/" | grep '^BENCH'
}
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
rps() { python3 -c "print(round($(field "$1" requests) / ($(field "$1" duration_us) / 1e6)))"; }

stop() {
    kill -TERM "$pid"
    wait "$pid" || true
    pid=
}

serve() { # DB LOG: starts serve, sets pid and port
    "$build/collector/tlsrpt-collector" serve --db "$1" --listen 127.0.0.1 --port 0 \
        --tls-cert "$work/srv.pem" --tls-key "$work/srv.key" --threads "$sthreads" --rate-limit 0 \
        --max-connections-per-ip 0 --log-level info >"$2" 2>&1 &
    pid=$!
    port=$(wait_port "$2" 's/.*listening on https:\/\/127.0.0.1:\([0-9]*\).*/\1/p')
}

rows() {
    python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM reports").fetchone()[0])' "$1"
}

# Bodies: enough that no run repeats one (a GET 405 would show up in non2xx if they ran out).
n=$((secs * 12000))
"$build/bench/http_bodies" "$n" "$work/bodies"

echo "== bound: http_baseline (same TLS, answers 200, stores nothing), $conns connections, ${secs}s"
"$build/bench/http_baseline" "$work/srv.pem" "$work/srv.key" 0 "$sthreads" >"$work/base.log" 2>&1 &
pid=$!
port=$(wait_port "$work/base.log" 's/.*listening on port \([0-9]*\).*/\1/p')
base=$(run_wrk "$port" 0)
stop
echo "   $base"

echo "== tlsrpt-collector serve (decode, parse, store, group commit), same load"
serve "$work/peak.db" "$work/peak.log"
peak=$(run_wrk "$port" 0)
stop
echo "   $peak"
summary=$(grep 'stopped:' "$work/peak.log" | sed 's/.*stopped: //')
echo "   server: $summary"
new_rows=$(rows "$work/peak.db")

base_rps=$(rps "$base")
peak_rps=$(rps "$peak")
peak_2xx=$(($(field "$peak" requests) - $(field "$peak" non2xx)))
srv_2xx=$(echo "$summary" | sed -n 's/.*(2xx \([0-9]*\),.*/\1/p')

half=$((peak_rps / 2))
delay=$(python3 -c "print(max(1, round($conns * 1000 / max($half, 1))))")
echo "== tlsrpt-collector serve at half the peak (~$half req/s: each connection waits ${delay} ms)"
serve "$work/half.db" "$work/half.log"
halfr=$(run_wrk "$port" "$delay")
stop
echo "   $halfr"
half_rps=$(rps "$halfr")

# The ingest ceiling: the same kind of bodies through `import` (decode, parse, store, batched
# commits), no HTTP at all. What serve can reach is bounded by this, not by the HTTP layer.
mkdir "$work/files"
python3 - "$work/bodies" "$work/files" "$new_rows" <<'PY'
import struct, sys
data, out, n = open(sys.argv[1], "rb").read(), sys.argv[2], max(1000, int(sys.argv[3]))
pos = i = 0
while pos < len(data) and i < n:
    (size,) = struct.unpack(">I", data[pos:pos + 4])
    open("%s/%06d.json.gz" % (out, i), "wb").write(data[pos + 4:pos + 4 + size])
    pos, i = pos + 4 + size, i + 1
PY
# import_bench runs what `tlsrpt-collector import DIR` runs, and before it, in the same process, the
# least any parser of these bodies must do: read + gunzip + json_loadb, on one thread.
"$build/bench/import_bench" "$work/files" "$work/import.db" >"$work/import.out" 2>&1
imp_rps=$(sed -n 's/^import: .* = \([0-9]*\) reports\/s.*/\1/p' "$work/import.out")
parse_rps=$(sed -n 's/^raw: .* = \([0-9]*\) reports\/s.*/\1/p' "$work/import.out")
echo "== ingest ceiling: import of the same bodies: $imp_rps reports/s;" \
    "read + gunzip + json_loadb alone, one thread: $parse_rps/s"

python3 - "$base_rps" "$peak_rps" "$(field "$base" p50_us)" "$(field "$base" p99_us)" \
    "$(field "$peak" p50_us)" "$(field "$peak" p99_us)" "$half_rps" "$(field "$halfr" p50_us)" \
    "$(field "$halfr" p99_us)" "$peak_2xx" "$srv_2xx" "$new_rows" "$conns" "$imp_rps" \
    "$parse_rps" "$(nproc)" <<'PY'
import sys
(base, peak, bp50, bp99, pp50, pp99, half, hp50, hp99, wrk2xx, srv2xx, rows, conns, imp, parse,
 cpus) = [int(x) for x in sys.argv[1:]]
ratio = peak / base if base else 0
print()
print("%-44s %10s %9s %9s" % ("", "req/s", "p50 ms", "p99 ms"))
print("%-44s %10d %9.2f %9.2f" % ("bound (libmicrohttpd, no storage)", base, bp50 / 1e3,
                                  bp99 / 1e3))
print("%-44s %10d %9.2f %9.2f" % ("serve, peak", peak, pp50 / 1e3, pp99 / 1e3))
print("%-44s %10d %9.2f %9.2f" % ("serve, half the peak", half, hp50 / 1e3, hp99 / 1e3))
print()
print("%-44s %10d" % ("ingest ceiling (import, no HTTP)", imp))
print("%-44s %10d" % ("read + gunzip + json_loadb, one thread", parse))
print("%-44s %10d" % ("  the same on all %d CPUs, nothing else" % cpus, parse * cpus))
print()
if parse * cpus < base / 2:
    print("note: half the bound (%d req/s) is more than json_loadb alone can parse on every CPU of "
          "this machine (%d/s), before any TLS, HTTP or storage" % (base // 2, parse * cpus))
print("ratio serve/bound: %.2f (target >= 0.5): %s" % (ratio, "met" if ratio >= 0.5 else "NOT met"))
print("ratio serve/ingest ceiling: %.2f (what the HTTP layer keeps of what storage allows)" %
      (peak / imp if imp else 0))
print("p99 at half the peak: %.2f ms (target < 20 ms): %s" % (hp99 / 1e3,
      "met" if hp99 < 20000 else "NOT met"))
print("2xx answered by the server: %d; new rows: %d: %s" % (srv2xx, rows,
      "equal" if srv2xx == rows else "DIFFERENT"))
late = srv2xx - wrk2xx
print("2xx seen by wrk: %d (%d answered after wrk stopped reading at the deadline; at most one per "
      "connection: %s)" % (wrk2xx, late, "yes" if 0 <= late <= conns else "NO"))
ok = ratio >= 0.5 and hp99 < 20000 and srv2xx == rows and 0 <= srv2xx - wrk2xx <= conns
sys.exit(0 if ok else 1)
PY
