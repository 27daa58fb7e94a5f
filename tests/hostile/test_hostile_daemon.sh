#!/usr/bin/env bash
# Hostile input against the *running daemon* (issue 7): one `tlsrpt-collector serve --plain-http
# --maildir` process takes the cases of test_hostile.sh (bombs, absurd JSON, absurd MIME, odd file
# names, non-files in the Maildir) over HTTP and, where it applies, as a mail delivered into its
# Maildir, plus 100 MB bodies, a 1 MB request header and a database locked by another process. (A
# read-only database cannot be made so under a running daemon, and a full disk is
# test_full_disk.sh's.) After each case: the documented answer (docs/http.md) or the reject folder
# (docs/maildir.md), a rejects row with its code, and a good report still accepted over HTTP (and a
# good mail still taken by the watcher): the daemon still serving. At the end: every good report
# accepted before and during is in the database exactly once, integrity_check is ok, the resident
# memory is back near its post-warm-up baseline (not under a sanitizer build, where RSS means
# nothing; LeakSanitizer then checks for leaks at exit), SIGTERM exits 0 within 5 s (20 s under
# ASan). The figures (baseline, peak, final RSS) are printed as "# memory:" lines. The cases that the
# pre-scans refuse (10^6-element arrays: max-items; a 10,000-part mail: the "--" line count) run
# last, with a second memory check.
# TLSRPT_TRACE_RSS=1 prints the RSS after every case. Inputs are generated here (python3), never
# checked in.
#
# Helpers: test_https_common.bash gives start_server/stop_server/report_json; lib.sh (sourced
# second, so its ok/not_ok/check/sql/finish and WORK win) gives the reporting of the hostile tests.
here=$(dirname "$0")
. "$here/../shell/test_https_common.bash"
https_work=$WORK
. "$here/../shell/lib.sh"
rm -rf "$https_work"
set +e +o pipefail # lib.sh style: a failed check is reported, the run goes on
trap cleanup EXIT  # test_https_common.bash's: kills the daemon if still running, removes $WORK
# start_server/stop_server call fail: report it in lib.sh's counts.
fail() {
    not_ok "$*"
    [ -n "$LOG" ] && [ -f "$LOG" ] && tail -n 40 "$LOG"
    finish
    exit 1
}

DB=$WORK/t.db
MD=$WORK/Maildir
REJ=$MD/.tlsrpt-rejected
IN=$WORK/in
VALID=$TLSRPT_SOURCE_DIR/tests/reports/valid
FIX=$TLSRPT_SOURCE_DIR/tests/fixtures/mail
mkdir -p "$MD/new" "$MD/cur" "$MD/tmp" "$IN"
T0=$(date +%s)

# Under ASan/UBSan the allocator's quarantine and shadow memory make RSS meaningless.
if LC_ALL=C grep -q -a -m1 __asan_init "$BIN"; then SANITIZED=1; else SANITIZED=0; fi

# --- inputs (about 10 MB in all, 2 s) --------------------------------------------------------------
python3 - "$IN" "$VALID" <<'PY'
import base64, gzip, io, json, os, struct, sys, zipfile, zlib

d, valid = sys.argv[1], sys.argv[2]
def put(name, data):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

# A deflate stream of n MiB of zeros, built from one flushed 1 MiB block repeated: a 1 GiB bomb
# in half a second instead of compressing 1 GiB. Returns (raw deflate, crc32, size).
def deflate_zeros(n_mib):
    z = bytes(1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(z) + c.flush(zlib.Z_FULL_FLUSH)
    rest = c.compress(z) + c.flush(zlib.Z_FULL_FLUSH)
    tail = c.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(n_mib):
        crc = zlib.crc32(z, crc)
    return first + rest * (n_mib - 1) + tail, crc, n_mib << 20

# mtime tells the copies apart: every case stores its own reject (equal bytes would be one
# raw input, counted as another arrival of the first).
def gzip_wrap(raw, crc, size, mtime):
    return (b"\x1f\x8b\x08\x00" + struct.pack("<I", mtime) + b"\x02\xff" + raw +
            struct.pack("<II", crc, size & 0xFFFFFFFF))

# A one-member zip written by hand, so the declared sizes can lie.
def zip_one(name, raw, crc, csize, usize, method=8):
    n = name.encode()
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, csize, usize, len(n), 0) + n
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, csize,
                          usize, len(n), 0, 0, 0, 0, 0, 0) + n
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local) + len(raw), 0)
    return local + raw + central + end

raw, crc, size = deflate_zeros(1024)
bomb = lambda n: gzip_wrap(raw, crc, size, n)  # 1 GiB of zeros in ~1 MB
member = zlib.compress(bytes(1 << 20), 9)[2:-4]
member = lambda n, m=member: gzip_wrap(m, zlib.crc32(bytes(1 << 20)), 1 << 20, n)
concat = lambda n: member(n) + member(0) * 1023  # 1024 members of 1 MiB each
put("bomb.gz", bomb(1))
put("bomb-concat.gz", concat(1))
put("bomb.zip", zip_one("report1.json", raw, crc, len(raw), size))         # honest 1 GiB size
put("bomb-lying.zip", zip_one("report1.json", raw, crc, len(raw), 1000))   # claims 1000 bytes
put("bomb-in.zip", zip_one("report.json.gz", bomb(2), zlib.crc32(bomb(2)), len(bomb(2)), len(bomb(2)), 0))
put("bomb.gz.gz", gzip.compress(bomb(3), 9))  # for Content-Encoding: gzip over the bomb
put("bomb-ce.gz", bomb(4))                    # the Content-Encoding layer is the bomb

src = json.load(open(os.path.join(valid, "google-validation-failures/input.json")))
def variant(tag):
    r = json.loads(json.dumps(src))
    r["report-id"] = "hostile-" + tag
    return r

put("deep-array.json", "[" * 100000 + "]" * 100000)
put("deep-object.json", '{"a":' * 100000 + "1" + "}" * 100000)
r = variant("deep-inside")
r["policies"][0]["x-unknown"] = "@@DEEP@@"
put("deep-inside.json", json.dumps(r).replace('"@@DEEP@@"', "[" * 100000 + "]" * 100000))
r = variant("array-policies"); r["policies"] = [0] * 1000000
put("array-policies.json", json.dumps(r, separators=(",", ":")))
r = variant("array-details"); r["policies"][0]["failure-details"] = [{}] * 1000000
put("array-details.json", json.dumps(r, separators=(",", ":")))
r = variant("array-mx"); r["policies"][0]["policy"]["mx-host"] = [""] * 1000000
put("array-mx.json", json.dumps(r, separators=(",", ":")))

# Numbers beyond int64 (and below it) in each count field.
nums = {"2p63": "9223372036854775808", "2p64p1": "18446744073709551617", "1e30": "1" + "0" * 30,
        "neg2p63m1": "-9223372036854775809", "1e400": "1e400"}
fields = [("summary", "total-successful-session-count"), ("summary", "total-failure-session-count"),
          ("detail", "failed-session-count")]
with open(os.path.join(d, "numbers.list"), "w") as lst:
    for where, f in fields:
        for tag, num in nums.items():
            r = variant("num-%s-%s" % (f, tag))
            obj = r["policies"][0]["summary"] if where == "summary" else r["policies"][0]["failure-details"][0]
            obj[f] = "@@NUM@@"
            put("num-%s-%s.json" % (f, tag), json.dumps(r).replace('"@@NUM@@"', num))
            lst.write("num-%s-%s.json %s=%s\n" % (f, tag, f, num))

# NUL and invalid UTF-8 in every string field of the report with the most of them.
mox = json.load(open(os.path.join(valid, "mox-empty-strings/input.json")))
seen = []
def walk(v, path):
    if isinstance(v, dict):
        for k, x in v.items():
            walk(x, path + [k])
    elif isinstance(v, list):
        for i, x in enumerate(v):
            walk(x, path + [i])
    elif isinstance(v, str):
        key = path[-1] if isinstance(path[-1], str) else path[-2]
        if key not in [s[0] for s in seen]:
            seen.append((key, path))
walk(mox, [])
bad = {"nul-escape": b"\\u0000", "nul-raw": b"\x00", "bad-utf8": b"\xff\xfe",
       "lone-surrogate": b"\\ud800", "overlong": b"\xc0\xaf"}
with open(os.path.join(d, "strings.list"), "w") as lst:
    for n, (key, path) in enumerate(seen):
        for tag, b in bad.items():
            r = json.loads(json.dumps(mox))
            r["report-id"] = "str-%d-%s" % (n, tag)  # distinct bytes, even where the field is report-id
            o = r
            for p in path[:-1]:
                o = o[p]
            o[path[-1]] = "@@S@@" + o[path[-1]]
            body = json.dumps(r, ensure_ascii=False).encode().replace(b"@@S@@", b"a" + b + b"b", 1)
            put("str-%d-%s.json" % (n, tag), body)
            lst.write("str-%d-%s.json %s\n" % (n, tag, "/".join(map(str, path))))
r = variant("nul-key")
put("nul-key.json", json.dumps(r).replace('"policies"', '"x\\u0000y": 1, "policies"', 1))

# Mails. A report mail around one attachment.
def mail(mid, att, ctype="application/tlsrpt+gzip", fname="r.json.gz", extra="", cd=None):
    b64 = base64.encodebytes(att).decode()
    cd = cd or 'attachment; filename="%s"' % fname
    return ("From: tlsrpt@reporter.example\nTo: rua@example.com\nSubject: Report Domain: example.com\n"
            "Message-ID: <%s@reporter.example>\nTLS-Report-Domain: example.com\n"
            "TLS-Report-Submitter: reporter.example\nMIME-Version: 1.0\n%s"
            'Content-Type: multipart/report; report-type=tlsrpt; boundary="B"\n\n'
            "--B\nContent-Type: text/plain\n\nA TLS report.\n\n"
            "--B\nContent-Type: %s\nContent-Transfer-Encoding: base64\nContent-Disposition: %s\n\n%s\n"
            "--B--\n") % (mid, extra, ctype, cd, b64)
os.makedirs(os.path.join(d, "mail"))
def putmail(name, text):
    put("mail/" + name, text)
def gz_report(tag):
    return gzip.compress(json.dumps(variant(tag)).encode())
for i in range(1, 61):
    putmail("good-%d.eml" % i, mail("good-%d" % i, gz_report("mail-good-%d" % i)))
# The mail cases carry their own bytes (not those POSTed), so each stores a reject of its own.
def rd(name):
    return open(os.path.join(d, name), "rb").read()
def retag(name, tag):  # the same hostile JSON under another report-id
    return rd(name).replace(b'"report-id": "hostile-', b'"report-id": "hostile-' + tag.encode() + b"-", 1)
putmail("bomb-gz.eml", mail("bomb-gz", bomb(11)))
putmail("bomb-concat.eml", mail("bomb-concat", concat(12)))
putmail("bomb-zip.eml", mail("bomb-zip", zip_one("report2.json", raw, crc, len(raw), size),
                             "application/tlsrpt+zip", "r.zip"))
putmail("bomb-lying-zip.eml", mail("bomb-lying-zip", zip_one("report2.json", raw, crc, len(raw), 1000),
                                   "application/zip", "r.zip"))
putmail("deep.eml", mail("deep", gzip.compress(retag("deep-inside.json", "mail"))))
putmail("array.eml", mail("array", gzip.compress(retag("array-details.json", "mail"))))
putmail("bignum.eml", mail("bignum", gzip.compress(retag("num-total-failure-session-count-2p64p1.json", "mail"))))
nul = json.dumps(variant("mail-nul")).encode().replace(b'"organization-name": "', b'"organization-name": "a\x00b', 1)
putmail("nul.eml", mail("nul", nul, "application/tlsrpt+json", "r.json"))
utf = json.dumps(variant("mail-utf8")).encode().replace(b'"contact-info": "', b'"contact-info": "\xff\xfe', 1)
putmail("bad-utf8.eml", mail("bad-utf8", gzip.compress(utf)))
# A good report under a file name with path separators, control characters and an escape sequence
# (RFC 2231, percent-encoded).
putmail("evil-name.eml", mail("evil-name", gz_report("mail-evil-name"),
        cd="attachment; filename*=utf-8''..%2F..%2F..%2Ftmp%2Fevil%01%1B%5B31m%0A.json.gz"))
# MIME: 10,000 parts, 1,000-deep nesting, a 1 MB header line (as in test_hostile.sh).
rep = base64.encodebytes(gz_report("mime")).decode()
head = ("From: tlsrpt@reporter.example\nTo: rua@example.com\nSubject: Report Domain: example.com\n"
        "Message-ID: <{}@reporter.example>\nMIME-Version: 1.0\n")
part = ("--B\nContent-Type: application/tlsrpt+gzip\nContent-Transfer-Encoding: base64\n"
        "Content-Disposition: attachment; filename=r.json.gz\n\n" + rep + "\n")
putmail("parts.eml", head.format("parts") + 'Content-Type: multipart/report; boundary="B"\n\n' +
        "--B\nContent-Type: text/plain\n\nx\n" * 10000 + part + "--B--\n")
s = head.format("nested")
for i in range(1000):
    s += 'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i)
s += part.split("\n", 1)[1]
for i in reversed(range(1000)):
    s += "\n--b%d--\n" % i
putmail("nested.eml", s)
putmail("header.eml", head.format("header") + "X-Long: " + "a" * (1 << 20) + "\n" +
        'Content-Type: multipart/report; boundary="B"\n\n' + part + "--B--\n")
# Warm-up: a good report in a zip.
zb = io.BytesIO()
with zipfile.ZipFile(zb, "w", zipfile.ZIP_DEFLATED) as z:
    z.write(os.path.join(valid, "sys4-postfix-tlsa-helo/input.json"), "report.json")
put("warm.zip", zb.getvalue())
PY
[ -s "$IN/bomb.gz" ] && [ -s "$IN/mail/header.eml" ] || fail "input generator failed"
ok "inputs generated ($(du -sm "$IN" | cut -f1) MB, bomb.gz $(stat -c %s "$IN/bomb.gz") bytes)"

# --- helpers ---------------------------------------------------------------------------------------
# http_post FILE CURL-ARGS...: sets CODE and BODY (first line of the answer).
http_post() {
    local f=$1
    shift
    local out=$WORK/resp
    : >"$out"
    CODE=$(curl -sS --max-time 60 -o "$out" -w '%{http_code}' --data-binary @"$f" "$@" "$URL" \
        2>"$WORK/curl.err") || true
    CODE=${CODE:-000}
    BODY=$(head -n1 "$out" | tr -d '\r')
}
alive() { kill -0 "$SRV_PID" 2>/dev/null; }
GOOD_POSTS=0
# still_serving AFTER: a distinct good report gets 200 and the process is alive.
still_serving() {
    GOOD_POSTS=$((GOOD_POSTS + 1))
    report_json "post-good-$GOOD_POSTS" >"$WORK/good.json"
    http_post "$WORK/good.json" -H 'Content-Type: application/tlsrpt+json'
    if [ "$CODE" = 200 ] && alive; then
        ok "after $1: still serving (good POST 200)"
    else
        not_ok "after $1: good POST got $CODE '$BODY', alive: $(alive && echo yes || echo no)"
        GOOD_POSTS=$((GOOD_POSTS - 1))
        alive || fail "the daemon died after $1"
    fi
    trace_rss "$1"
}
rejects() { sql "$DB" "SELECT count(*) FROM rejects"; }
raws() { sql "$DB" "SELECT count(*) FROM raw_inputs"; }
# last_http_reject: code|reason of the newest reject that arrived over HTTP.
last_http_reject() {
    sql "$DB" "SELECT j.code || '|' || j.reason FROM rejects j JOIN receipts c ON c.id = j.receipt_id
               WHERE c.kind = 'http' ORDER BY j.id DESC LIMIT 1"
}
# post_case DESC STATUS CODE FILE CURL-ARGS...: answer STATUS; CODE: the reject code stored
# (exactly one new reject), or "-" when nothing may be stored (refused on the head).
post_case() {
    local desc=$1 want=$2 code=$3 f=$4
    shift 4
    local r0 w0
    r0=$(rejects)
    w0=$(raws)
    http_post "$f" "$@"
    check "$desc: HTTP $want" "$want" "$CODE"
    if [ "$code" = - ]; then
        check "$desc: nothing stored" "$r0 $w0" "$(rejects) $(raws)"
    else
        local got
        got=$(last_http_reject)
        if [ "$(rejects)" = $((r0 + 1)) ] && [ "${got%%|*}" = "$code" ]; then
            ok "$desc: kept as a $code reject (${got#*|})"
        else
            not_ok "$desc: want one new $code reject, have $(($(rejects) - r0)) new, last '$got'"
        fi
    fi
    still_serving "$desc"
}

GOOD_MAILS=0
MAIL_SEQ=0
# deliver FILE NAME: the MDA way, tmp/ then a rename into new/.
deliver() {
    cp "$1" "$MD/tmp/$2" && mv "$MD/tmp/$2" "$MD/new/$2"
}
# wait_gone NAME: up to 20 s for new/NAME to be taken.
wait_gone() {
    local i
    for i in $(seq 1 200); do
        [ -e "$MD/new/$1" ] || return 0
        sleep 0.1
    done
    return 1
}
# good_mail: delivers the next good report mail, named $GOOD.
good_mail() {
    GOOD_MAILS=$((GOOD_MAILS + 1))
    GOOD="good.$GOOD_MAILS.$$.host"
    deliver "$IN/mail/good-$GOOD_MAILS.eml" "$GOOD"
}
# watcher_alive AFTER GOODNAME: the good mail delivered with the case went to cur/ (seen).
watcher_alive() {
    if wait_gone "$2" && [ -f "$MD/cur/$2:2,S" ] && alive; then
        ok "after $1: the Maildir watcher still works (good mail stored and moved to cur/)"
    else
        not_ok "after $1: good mail $2 not handled: $(ls "$MD/new" "$MD/cur" | tr '\n' ' ')"
        GOOD_MAILS=$((GOOD_MAILS - 1))
    fi
}
# mail_case DESC FILE CODE [CAP]: the message goes to the reject folder, its reject has CODE; CAP:
# refused whole for that mail cap, which the reject's reason and the receipt's mail_error name. A
# good mail delivered right after it is still stored.
mail_case() {
    local desc="mail: $1" f=$2 code=$3 cap=${4:-}
    MAIL_SEQ=$((MAIL_SEQ + 1))
    local name="hostile.$MAIL_SEQ.$$.host"
    deliver "$f" "$name"
    good_mail
    if wait_gone "$name" && [ -f "$REJ/new/$name" ]; then
        ok "$desc: moved to .tlsrpt-rejected/new/"
    else
        not_ok "$desc: not in the reject folder: new: $(ls "$MD/new" | tr '\n' ' ') cur: $(
            ls "$MD/cur" | tr '\n' ' ')"
    fi
    local got
    got=$(sql "$DB" "SELECT j.code || '|' || j.reason FROM rejects j JOIN receipts c ON c.raw_id = j.raw_id
                     WHERE c.kind = 'mail' AND c.reference LIKE '%/$name' ORDER BY j.id DESC LIMIT 1")
    case "$got" in
    "$code|"*) ok "$desc: kept as a $code reject (${got#*|})" ;;
    *) not_ok "$desc: want a $code reject, got '$got'" ;;
    esac
    if [ -n "$cap" ]; then
        case "$got" in
        *"($cap)"*) ok "$desc: the reason names $cap" ;;
        *) not_ok "$desc: the reason does not name $cap: '$got'" ;;
        esac
        check "$desc: the receipt's mail_error" too-large "$(sql "$DB" "SELECT json_extract(meta,
            '\$.mail_error.code') FROM receipts WHERE kind = 'mail' AND reference LIKE '%/$name'")"
    fi
    watcher_alive "$desc" "$GOOD"
    trace_rss "$desc"
}
db_kb() { sql "$DB" "SELECT page_count * page_size / 1024 FROM pragma_page_count, pragma_page_size"; }
# TLSRPT_TRACE_RSS=1: the RSS after every case, to find one that keeps memory.
trace_rss() { [ -n "${TLSRPT_TRACE_RSS:-}" ] && echo "# rss $(rss) kB hwm $(hwm) kB after $1"; }
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$SRV_PID/status"; }
hwm() { awk '/^VmHWM:/ {print $2}' "/proc/$SRV_PID/status"; }

# --- start -----------------------------------------------------------------------------------------
# rate-limit 0: this one client makes a few hundred requests. No malloc tuning here: the program
# fixes glibc's thresholds itself (collector/main.c), so this measures what production runs.
start_server "$WORK/serve.log" --plain-http --listen 127.0.0.1 --db "$DB" --maildir "$MD" \
    --rate-limit 0 --threads 2
URL=http://127.0.0.1:$PORT/tlsrpt
ok "serve --plain-http --maildir listening on port $PORT (pid $SRV_PID)"

# --- warm-up: every good path once (gzip, JSON, zip, Content-Encoding, mail) -----------------------
WARM=0
for c in google-validation-failures:gz google-sts-enforce:gz stalwart-7-day-range:gz \
    hourly-range:json microsoft-2023-no-zone:json sys4-postfix-tlsa-helo:zip \
    rfc-appendix-b-string-mx:ce; do
    case=${c%%:*}
    kind=${c#*:}
    f=$WORK/warm-$case
    case $kind in
    gz) gzip -c "$VALID/$case/input.json" >"$f" ;;
    json) cp "$VALID/$case/input.json" "$f" ;;
    zip) cp "$IN/warm.zip" "$f" ;;
    ce) gzip -c "$VALID/$case/input.json" | gzip -c >"$f" ;;
    esac
    ctype=application/tlsrpt+gzip
    [ "$kind" = json ] && ctype=application/tlsrpt+json
    extra=()
    [ "$kind" = ce ] && extra=(-H 'Content-Encoding: gzip')
    http_post "$f" -H "Content-Type: $ctype" "${extra[@]}"
    check "warm-up POST $case ($kind): 200" 200 "$CODE"
    WARM=$((WARM + 1))
done
for m in google-lf zip two-reports uuencode json-qp; do
    deliver "$FIX/$m.eml" "warm.$m.host"
done
for m in google-lf zip two-reports uuencode json-qp; do
    wait_gone "warm.$m.host" && [ -f "$MD/cur/warm.$m.host:2,S" ] && ok "warm-up mail $m stored" ||
        not_ok "warm-up mail $m not moved to cur/"
done
WARM_MAILS=6 # two-reports holds two
for i in 1 2 3; do still_serving "warm-up $i"; done
want_reports=$((WARM + WARM_MAILS + GOOD_POSTS))
check "warm-up: all reports stored" "$want_reports" "$(sql "$DB" "SELECT count(*) FROM reports")"
sleep 1
BASE_RSS=$(rss)
BASE_HWM=$(hwm)
BASE_DB_KB=$(db_kb)
echo "# memory: baseline VmRSS ${BASE_RSS} kB after warm-up (VmHWM ${BASE_HWM} kB)"

# --- HTTP: bombs -----------------------------------------------------------------------------------
GZ='Content-Type: application/tlsrpt+gzip'
post_case "gzip bomb (1 GiB of zeros in $(stat -c %s "$IN/bomb.gz") bytes)" 413 too-large \
    "$IN/bomb.gz" -H "$GZ"
post_case "concatenated-gzip bomb (1024 x 1 MiB members)" 413 too-large "$IN/bomb-concat.gz" -H "$GZ"
# application/zip is not an accepted media type (415, docs/http.md): zips come as octet-stream.
OS='Content-Type: application/octet-stream'
post_case "zip bomb labelled application/zip" 415 - "$IN/bomb.zip" -H 'Content-Type: application/zip'
post_case "zip bomb (declares 1 GiB)" 413 too-large "$IN/bomb.zip" -H "$OS"
post_case "zip bomb lying about its size (declares 1000 bytes)" 413 too-large "$IN/bomb-lying.zip" -H "$OS"
post_case "zip holding a gzip bomb" 413 too-large "$IN/bomb-in.zip" -H "$OS"
post_case "Content-Encoding: gzip over a gzip bomb" 413 too-large "$IN/bomb.gz.gz" -H "$GZ" \
    -H 'Content-Encoding: gzip'
post_case "Content-Encoding: gzip that is itself the bomb" 413 too-large "$IN/bomb-ce.gz" \
    -H 'Content-Type: application/tlsrpt+json' -H 'Content-Encoding: gzip'

# --- HTTP: JSON shape --------------------------------------------------------------------------------
JS='Content-Type: application/tlsrpt+json'
post_case "100k-deep top-level array" 400 format "$IN/deep-array.json" -H "$JS"
post_case "100k-deep object" 400 json "$IN/deep-object.json" -H "$JS"
post_case "100k-deep array inside a report" 400 json "$IN/deep-inside.json" -H "$JS"
# Integers beyond int64 are the parser's (schema); 1e400 already fails jansson (json: real overflow).
while read -r f what; do
    code=schema
    case $what in *=1e400) code=json ;; esac
    post_case "count beyond int64: $what" 400 $code "$IN/$f" -H "$JS"
done <"$IN/numbers.list"
while read -r f what; do
    tag=${f#str-*-}
    post_case "${tag%.json} in string field $what" 400 json "$IN/$f" -H "$JS"
done <"$IN/strings.list"
post_case "NUL in an object key" 400 json "$IN/nul-key.json" -H "$JS"

# --- HTTP: mail over HTTP, a 1 MB header, a hostile path, 100 MB bodies ------------------------------
for m in parts nested header; do
    post_case "a $m.eml MIME message as the body" 400 format "$IN/mail/$m.eml" -H "$GZ"
done
# A 1 MB header line, sent by a raw socket (curl itself refuses a header line that long).
r0=$(raws)
CODE=$(python3 - "$PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(10)
try:
    s.sendall(b"POST /tlsrpt HTTP/1.1\r\nHost: localhost\r\nX-Long: " + b"a" * (1 << 20) +
              b"\r\nContent-Type: application/tlsrpt+json\r\nContent-Length: 2\r\n\r\n{}")
except OSError:
    pass  # the server may close before it has read everything; its answer is still waiting
try:
    print(s.recv(64).split(b" ")[1].decode())
except (OSError, IndexError):
    print("000")
PY
)
check "1 MB request header line: HTTP 431 from libmicrohttpd (max-headers)" 431 "$CODE"
check "1 MB request header line: nothing stored" "$r0" "$(raws)"
still_serving "a 1 MB request header"
# Any path is accepted; the log line must carry no raw control byte of it.
report_json post-evil-path | gzip -c >"$WORK/ep.gz"
CODE=$(curl -sS --max-time 30 -o /dev/null -w '%{http_code}' --data-binary @"$WORK/ep.gz" -H "$GZ" \
    --path-as-is "http://127.0.0.1:$PORT/../../etc/passwd%00%0a%1b%5b31m%01" 2>/dev/null)
check "path with ../, %00, %0a and an escape sequence: accepted" 200 "$CODE"
[ "$CODE" = 200 ] && GOOD_POSTS=$((GOOD_POSTS + 1)) # counted with the good posts: post-evil-path
still_serving "a hostile path"

# 100 MB streamed from /dev/zero, never written to disk. With Content-Length it is refused on the
# head (over max-body + max-drain: not read, connection closed): a client that waits for
# "100 Continue" reads a clean 413, one that sends at once may only see the close. Chunked, it is
# read up to max-body, 1 MiB more is drained, then the connection is closed: curl may see the 413
# or only the close. Either way nothing is stored and memory stays bounded (the peak is checked
# below).
# big100 EXTRA-CURL-ARGS...: POSTs 100 MB of zeros from a pipe; sets CODE, ms and STORED (raw
# inputs added).
big100() {
    local t r0
    r0=$(raws)
    t=$(date +%s%N)
    CODE=$(head -c 100M /dev/zero | curl -sS --max-time 60 -o /dev/null -w '%{http_code}' -X POST \
        -H "$GZ" "$@" -T - "$URL" 2>/dev/null)
    CODE=${CODE:-000}
    ms=$((($(date +%s%N) - t) / 1000000))
    STORED=$(($(raws) - r0))
}
big100 -H 'Content-Length: 104857600' -H 'Transfer-Encoding:'
check "100 MB body with Content-Length and Expect: 100-continue: 413 ($ms ms)" 413 "$CODE"
check "  ... nothing stored" 0 "$STORED"
still_serving "a 100 MB body with Content-Length"
big100 -H 'Content-Length: 104857600' -H 'Transfer-Encoding:' -H 'Expect:'
case $CODE in
413 | 000) ok "100 MB body with Content-Length, sent at once: refused (HTTP $CODE, $ms ms; 000 = closed)" ;;
*) not_ok "100 MB body with Content-Length, sent at once: HTTP $CODE" ;;
esac
check "  ... nothing stored" 0 "$STORED"
still_serving "a 100 MB body with Content-Length sent without waiting"
big100 -H 'Expect:'
case $CODE in
413 | 000) ok "100 MB chunked body: refused (HTTP $CODE, $ms ms; 000 = closed after the drain)" ;;
*) not_ok "100 MB chunked body: HTTP $CODE" ;;
esac
check "  ... nothing stored" 0 "$STORED"
still_serving "a 100 MB chunked body"

# --- a database locked by another process: 503 with Retry-After, then served again ------------------
exec 3< <(lock_db "$DB" 7)
read -r -t 10 line <&3
check "lock holder has the lock" locked "$line"
report_json post-locked | gzip -c >"$WORK/locked.gz"
hdrs=$(curl -sS --max-time 30 -D - -o /dev/null --data-binary @"$WORK/locked.gz" -H "$GZ" "$URL" |
    tr -d '\r')
check "database locked past the busy timeout: 503" "503" "$(echo "$hdrs" | awk 'NR==1 {print $2}')"
echo "$hdrs" | grep -qi '^Retry-After: [0-9]' && ok "503 carries Retry-After" ||
    not_ok "503 without Retry-After: $hdrs"
cat <&3 >/dev/null # the holder lets go
exec 3<&-
http_post "$WORK/locked.gz" -H "$GZ"
check "the sender's retry after the lock: 200" 200 "$CODE"
[ "$CODE" = 200 ] && GOOD_POSTS=$((GOOD_POSTS + 1))
still_serving "a locked database"

# --- Maildir ---------------------------------------------------------------------------------------
mail_case "gzip bomb attachment" "$IN/mail/bomb-gz.eml" too-large
mail_case "concatenated-gzip bomb attachment" "$IN/mail/bomb-concat.eml" too-large
mail_case "zip bomb attachment" "$IN/mail/bomb-zip.eml" too-large
mail_case "zip bomb lying about its size" "$IN/mail/bomb-lying-zip.eml" too-large
mail_case "100k-deep JSON attachment" "$IN/mail/deep.eml" json
mail_case "count beyond int64" "$IN/mail/bignum.eml" schema
mail_case "raw NUL in a string" "$IN/mail/nul.eml" json
mail_case "invalid UTF-8 in a string" "$IN/mail/bad-utf8.eml" json
mail_case "1,000-deep multipart nesting" "$IN/mail/nested.eml" too-large max_depth
mail_case "1 MB header line" "$IN/mail/header.eml" too-large max_header

# A good report under a file name with ../ and control characters, in a message whose own file
# name has control characters: stored, moved to cur/, nothing written elsewhere.
evil=$(printf 'evil\001\033[31m\t.host')
deliver "$IN/mail/evil-name.eml" "$evil"
good_mail
if wait_gone "$evil" && [ -f "$MD/cur/$evil:2,S" ]; then
    ok "control characters in the message and attachment names: stored, moved to cur/"
else
    not_ok "evil-name mail not moved to cur/: $(ls "$MD/new" "$MD/cur" | od -c | head -5)"
fi
check "the attachment's ../ name created no file" "" \
    "$(find "$WORK" -name 'evil*.json.gz'; find /tmp -maxdepth 1 -name 'evil*.json.gz')"
check "its report is stored" 1 "$(sql "$DB" "SELECT count(*) FROM reports WHERE report_id = 'hostile-mail-evil-name'")"
watcher_alive "control-character names" "$GOOD"

# A symlink (to a good report outside the Maildir) and a FIFO in new/: left alone, logged, and the
# watcher is not blocked on the FIFO.
cp "$IN/mail/good-60.eml" "$WORK/outside.eml" # good-60 is never delivered
ln -s "$WORK/outside.eml" "$MD/new/link.host"
mkfifo "$MD/new/fifo.host"
good_mail
watcher_alive "a symlink and a FIFO in new/" "$GOOD"
[ -L "$MD/new/link.host" ] && [ -p "$MD/new/fifo.host" ] && ok "symlink and FIFO left in place" ||
    not_ok "symlink or FIFO moved: $(ls -la "$MD/new" "$MD/cur")"
check "nothing stored through the symlink" 0 \
    "$(sql "$DB" "SELECT count(*) FROM reports WHERE report_id = 'hostile-mail-good-60'")"
grep -q 'skipped .*/new/link\.host: is a symbolic link, not followed; left in place' "$WORK/serve.log" &&
    ok "the symlink is logged as skipped" || not_ok "no log line for the symlink"
grep -q 'skipped .*/new/fifo\.host: a FIFO, skipped; left in place' "$WORK/serve.log" &&
    ok "the FIFO is logged as skipped" || not_ok "no log line for the FIFO"
still_serving "a symlink and a FIFO in the Maildir"

if LC_ALL=C grep -q "$(printf '[\001\033]')" "$WORK/serve.log"; then
    not_ok "raw control characters reach the log: $(LC_ALL=C grep -n "$(printf '[\001\033]')" \
        "$WORK/serve.log" | head -3 | od -c | head -5)"
else
    ok "no raw control characters in the log"
fi

# --- memory after every case above: back near the baseline -----------------------------------------
# What may stay: SQLite's page caches (one per connection, capped at 32 MiB each) hold the pages just
# written, so the allowance is the database's growth (every reject keeps its bytes: the bombs are
# ~1 MB each) plus 8 MiB for the allocator's own bookkeeping.
settled_rss() { # up to 5 s for the RSS to come under BASE_RSS + SLACK
    local i
    for i in $(seq 1 50); do
        FINAL=$(rss)
        [ "$FINAL" -le $((BASE_RSS + SLACK)) ] && return 0
        sleep 0.1
    done
    return 1
}
DB_GROWTH=$(($(db_kb) - BASE_DB_KB))
SLACK=$((DB_GROWTH + 8192))
settled_rss
PEAK=$(hwm)
echo "# memory: baseline ${BASE_RSS} kB, peak (VmHWM) ${PEAK} kB, after the hostile cases ${FINAL} kB" \
    "(growth $((FINAL - BASE_RSS)) kB; database grew ${DB_GROWTH} kB)"
if [ "$SANITIZED" = 1 ]; then
    ok "# SKIP memory back to baseline: sanitizer build, RSS is not meaningful (LeakSanitizer checks leaks at exit)"
else
    [ "$FINAL" -le $((BASE_RSS + SLACK)) ] &&
        ok "RSS back to baseline: ${FINAL} kB <= ${BASE_RSS} + ${DB_GROWTH} (database) + 8192 kB" ||
        not_ok "RSS ${FINAL} kB stayed above baseline ${BASE_RSS} + ${DB_GROWTH} (database) + 8192 kB"
    [ "$PEAK" -lt $((100 * 1024)) ] &&
        ok "peak RSS ${PEAK} kB < 100 MiB: no 100 MB body or 1 GiB bomb was held whole" ||
        not_ok "peak RSS ${PEAK} kB >= 100 MiB"
fi

# --- caps counted before any tree is built ----------------------------------------------------------
# max-items and the mail's "--" line count refuse these before jansson or GMime allocate (without
# them a 3 MB body of [{},{},...] cost about 230 MB, and stayed in the thread's arena). A second
# memory check follows.
mail_case "10,000 MIME parts" "$IN/mail/parts.eml" too-large max_parts
post_case "10^6-element policies[]" 413 too-large "$IN/array-policies.json" -H "$JS"
post_case "10^6-element mx-host[]" 413 too-large "$IN/array-mx.json" -H "$JS"
post_case "10^6-element failure-details[]" 413 too-large "$IN/array-details.json" -H "$JS"
mail_case "10^6-element failure-details[] attachment" "$IN/mail/array.eml" too-large

# --- nothing lost, database sound -------------------------------------------------------------------
want_reports=$((WARM + WARM_MAILS + GOOD_POSTS + GOOD_MAILS + 1)) # + the evil-name mail's report
check "every accepted report stored exactly once ($WARM + $WARM_MAILS warm-up, $GOOD_POSTS POSTs, $((
    GOOD_MAILS + 1)) mails)" "$want_reports $want_reports 0" \
    "$(sql "$DB" "SELECT count(*) || ' ' || count(DISTINCT dedupe_key) || ' ' || total(duplicates)
                  FROM reports" | sed 's/\.0$//')"
check "every good POST stored" "$GOOD_POSTS" \
    "$(sql "$DB" "SELECT count(*) FROM reports WHERE report_id LIKE 'post-good-%' OR report_id IN
                  ('post-evil-path', 'post-locked')")"
check "every good mail stored" "$GOOD_MAILS" \
    "$(sql "$DB" "SELECT count(*) FROM reports WHERE report_id LIKE 'hostile-mail-good-%'")"
check "no hostile input became a report" 0 \
    "$(sql "$DB" "SELECT count(*) FROM reports WHERE report_id LIKE 'hostile-%' AND report_id NOT LIKE
                  'hostile-mail-good-%' AND report_id <> 'hostile-mail-evil-name'")"
check "every reject keeps its raw bytes" 0 \
    "$(sql "$DB" "SELECT count(*) FROM rejects j LEFT JOIN raw_inputs r ON r.id = j.raw_id WHERE r.id IS NULL")"
check "integrity_check" ok "$(sql "$DB" "PRAGMA integrity_check")"

DB_GROWTH=$(($(db_kb) - BASE_DB_KB))
SLACK=$((DB_GROWTH + 8192))
settled_rss
PEAK2=$(hwm)
echo "# memory: after the 10^6-element arrays and the 10,000-part mail: peak (VmHWM) ${PEAK2} kB, settled ${FINAL} kB" \
    "(growth $((FINAL - BASE_RSS)) kB over the baseline)"
if [ "$SANITIZED" = 0 ]; then
    [ "$FINAL" -le $((BASE_RSS + SLACK)) ] &&
        ok "RSS back to baseline after the 10^6-element arrays too: ${FINAL} kB" ||
        not_ok "RSS ${FINAL} kB stayed above baseline ${BASE_RSS} + ${SLACK} kB after the 10^6-element arrays"
    [ "$PEAK2" -lt $((100 * 1024)) ] &&
        ok "peak RSS ${PEAK2} kB < 100 MiB with the 10^6-element arrays: refused before parsing" ||
        not_ok "peak RSS ${PEAK2} kB >= 100 MiB: a 10^6-element array was parsed before its cap"
fi

# --- SIGTERM ---------------------------------------------------------------------------------------
t=$(date +%s%N)
stop_server
ms=$((($(date +%s%N) - t) / 1000000))
check "SIGTERM: exit status" 0 "$STOP_RC"
# Under ASan, LeakSanitizer scans the whole heap at exit (up to 5 s measured on 2 busy cores).
limit=5000
[ "$SANITIZED" = 1 ] && limit=20000
[ "$ms" -le "$limit" ] && ok "SIGTERM: exited in $ms ms (limit $limit)" ||
    not_ok "SIGTERM: took $ms ms (limit $limit)"
grep -q 'stopped: .*reports imported' "$WORK/serve.log" && ok "shutdown summary logged" ||
    not_ok "no shutdown summary"
echo "# $(grep -o 'stopped: .*' "$WORK/serve.log" | head -n1)"
echo "# ran in $(($(date +%s) - T0)) s"
if [ "$T_FAIL" -gt 0 ]; then
    echo "--- last lines of the daemon's log"
    tail -n 60 "$WORK/serve.log"
fi
finish
