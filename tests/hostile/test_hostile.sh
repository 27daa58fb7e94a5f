#!/usr/bin/env bash
# Hostile input against the built tlsrpt-collector (issue 7): bombs, absurd JSON, absurd MIME, odd
# file names, non-files in a Maildir, a read-only and a locked database. For each case the exit
# status and the logged reason are checked, and after all of them the reports accepted before are
# still there and a good report still imports. Inputs are generated here (python3), not checked in.
# The HTTP cases (100 MB body, slowloris, connection caps) are in tests/shell/test_https*.sh.
. "$(dirname "$0")/../shell/lib.sh"
DB="$WORK/t.db"
export TLSRPT_DB="$DB"
VALID="$TLSRPT_SOURCE_DIR/tests/reports/valid"
IN="$WORK/in"
mkdir -p "$IN"

# import FILE...: runs import --json, leaves the summary in $out, stderr in $WORK/err, status in $rc
import() {
    out=$(timeout 120 "$COLLECTOR" import --json --no-progress "$@" 2>"$WORK/err")
    rc=$?
}
# last_reject: "code|reason" of the newest reject
last_reject() { sql "$DB" "SELECT code || '|' || reason FROM rejects ORDER BY id DESC LIMIT 1"; }
# rejected_as DESC CODE: the import exited 0, rejected 1 input, stored with CODE
rejected_as() {
    check "$1: exit status" 0 "$rc"
    check "$1: rejected" 1 "$(json_get "$out" rejected 2>/dev/null)"
    local r
    r=$(last_reject)
    case "$r" in
    "$2|"*) ok "$1: kept as a reject with code $2 (${r#*|})" ;;
    *) not_ok "$1: want a $2 reject, got '$r'; stderr: $(head -c 300 "$WORK/err")" ;;
    esac
}

# A good report first: whatever follows must not lose it.
cp "$VALID/google-validation-failures/input.json" "$IN/good1.json"
import "$IN/good1.json"
check "good report imported" 1 "$(json_get "$out" imported)"
reports0=$(sql "$DB" "SELECT count(*) FROM reports")
totals0=$(sql "$DB" "SELECT count(*), total(successful), total(failed) FROM policies")

# mail_rejected_as DESC CAP: a mail refused whole for CAP: exit 0, one reject (the message's bytes)
# whose reason names the cap, the log names the cap, and the receipt's meta keeps mail_error.code
# "too-large".
mail_rejected_as() {
    check "$1: exit status" 0 "$rc"
    check "$1: rejected" 1 "$(json_get "$out" rejected 2>/dev/null)"
    grep -q "($2)" "$WORK/err" && ok "$1: log names $2 ($(grep -o 'rejected .*' "$WORK/err" | head -c 160))" \
        || not_ok "$1: log does not name $2: $(head -c 300 "$WORK/err")"
    check "$1: receipt keeps the cap as mail_error" too-large "$(sql "$DB" \
        "SELECT json_extract(meta, '\$.mail_error.code') FROM receipts ORDER BY id DESC LIMIT 1")"
    check "$1: the message is kept as a reject" 1 "$(sql "$DB" "SELECT count(*) FROM rejects WHERE raw_id =
        (SELECT raw_id FROM receipts ORDER BY id DESC LIMIT 1)")"
    local r
    r=$(last_reject)
    case "$r" in
    too-large\|*"$2"*) ok "$1: the reject's reason is the cap ($r)" ;;
    *) not_ok "$1: the reject's reason should name $2, got '$r'" ;;
    esac
}

# --- Bombs: small files that inflate past the caps.
python3 - "$IN" <<'PY'
import gzip, io, sys, zipfile
d = sys.argv[1]
zeros = b"0" * (64 << 20)  # 64 MiB of one byte: over max-decompressed (20M) and max-ratio (1000)
with open(d + "/bomb.json.gz", "wb") as f:
    f.write(gzip.compress(zeros, 9))
b = io.BytesIO()
with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    z.writestr("report.json", zeros)
open(d + "/bomb.zip", "wb").write(b.getvalue())
PY
import "$IN/bomb.json.gz"
rejected_as "gzip bomb ($(stat -c %s "$IN/bomb.json.gz") bytes)" too-large
import "$IN/bomb.zip"
rejected_as "zip bomb ($(stat -c %s "$IN/bomb.zip") bytes)" too-large

# --- JSON: depth, size, numbers, NUL, invalid UTF-8. Built from a real report.
python3 - "$IN" "$VALID/google-validation-failures/input.json" <<'PY'
import json, sys
d, src = sys.argv[1], sys.argv[2]
good = json.load(open(src))
open(d + "/deep.json", "w").write("[" * 100000 + "]" * 100000)
open(d + "/deep-obj.json", "w").write('{"a":' * 100000 + "1" + "}" * 100000)
r = dict(good); r["policies"] = [0] * 1000000
open(d + "/array.json", "w").write(json.dumps(r))
r = json.loads(json.dumps(good)); r["report-id"] += "-big"
r["policies"][0]["summary"]["total-successful-session-count"] = 2**64 + 1
open(d + "/bignum.json", "w").write(json.dumps(r))
r["policies"][0]["summary"]["total-successful-session-count"] = -1
open(d + "/negative.json", "w").write(json.dumps(r))
t = json.dumps(good).replace('"organization-name": "', '"organization-name": "a\\u0000b', 1)
open(d + "/nul-escape.json", "w").write(t)
raw = json.dumps(good).encode().replace(b'"organization-name": "', b'"organization-name": "a\x00b', 1)
open(d + "/nul-raw.json", "wb").write(raw)
raw = json.dumps(good).encode().replace(b'"organization-name": "', b'"organization-name": "a\xff\xfeb', 1)
open(d + "/bad-utf8.json", "wb").write(raw)
raw = json.dumps(good).encode().replace(b'"organization-name": "', b'"organization-name": "\xed\xa0\x80', 1)
open(d + "/surrogate.json", "wb").write(raw)
PY
# A top-level array is not a report at all: the sniffer refuses it before any JSON parser runs.
import "$IN/deep.json"
rejected_as "100k-deep top-level array" format
import "$IN/deep-obj.json"
rejected_as "100k-deep object" json
grep -q "max-depth" "$WORK/err" && ok "deep object: log names max-depth" || not_ok "deep object: no max-depth in log"
import "$IN/array.json"
rejected_as "10^6-element policies array" too-large
import "$IN/bignum.json"
rejected_as "count beyond int64" schema
import "$IN/negative.json"
rejected_as "negative count" schema
import "$IN/nul-escape.json"
rejected_as "\\u0000 in a string" json
import "$IN/nul-raw.json"
rejected_as "raw NUL byte in a string" json
import "$IN/bad-utf8.json"
rejected_as "invalid UTF-8 in a string" json
import "$IN/surrogate.json"
rejected_as "UTF-8 surrogate in a string" json

# --- MIME: 10,000 parts, 1,000-deep nesting, a 1 MB header line.
python3 - "$IN" "$VALID/google-validation-failures/input.json" <<'PY'
import base64, gzip, sys
d, src = sys.argv[1], sys.argv[2]
rep = base64.encodebytes(gzip.compress(open(src, "rb").read())).decode()
head = ("From: tlsrpt@example.net\nTo: rua@example.com\nSubject: Report Domain: example.com\n"
        "Message-ID: <{}@example.net>\nMIME-Version: 1.0\n")
part = ("--B\nContent-Type: application/tlsrpt+gzip\nContent-Transfer-Encoding: base64\n"
        "Content-Disposition: attachment; filename=r.json.gz\n\n" + rep + "\n")
with open(d + "/parts.eml", "w") as f:
    f.write(head.format("parts") + 'Content-Type: multipart/report; boundary="B"\n\n')
    f.write(("--B\nContent-Type: text/plain\n\nx\n") * 10000 + part + "--B--\n")
with open(d + "/nested.eml", "w") as f:
    f.write(head.format("nested"))
    for i in range(1000):
        f.write('Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i))
    f.write(part.split("\n", 1)[1])
    for i in reversed(range(1000)):
        f.write("\n--b%d--\n" % i)
with open(d + "/header.eml", "w") as f:
    f.write(head.format("header") + "X-Long: " + "a" * (1 << 20) + "\n")
    f.write('Content-Type: multipart/report; boundary="B"\n\n' + part + "--B--\n")
PY
import "$IN/parts.eml"
mail_rejected_as "mail with 10,000 parts" max_parts
import "$IN/nested.eml"
mail_rejected_as "mail nested 1,000 deep" max_depth
import "$IN/header.eml"
mail_rejected_as "mail with a 1 MB header line" max_header

# reprocess re-reads every stored input: a whole mail refused by a cap keeps the cap as its reason
# (the decoder's "not gzip, zip or JSON" about a mail's bytes must not replace it).
caps_before=$(sql "$DB" "SELECT group_concat(raw_id || ':' || code || ':' || reason, '|') FROM rejects
    WHERE reason LIKE '%(max\_%' ESCAPE '\'")
timeout 120 "$COLLECTOR" reprocess --json --quiet >"$WORK/reprocess.out" 2>"$WORK/err"
check "reprocess after the mail caps: exit status" 0 "$?"
check "reprocess keeps the mail caps as the reasons" "$caps_before" "$(sql "$DB" "SELECT
    group_concat(raw_id || ':' || code || ':' || reason, '|') FROM rejects
    WHERE reason LIKE '%(max\_%' ESCAPE '\'")"
[ -n "$caps_before" ] && ok "three mail-cap rejects to check" || not_ok "no mail-cap rejects found"

# --- File names with control characters: imported, and the log carries no raw control byte.
mkdir -p "$IN/names"
cp "$VALID/google-no-policy-found/input.json" "$IN/names/$(printf 'a\nb\033[31m\001.json')"
import "$IN/names"
check "control-character file name: exit status" 0 "$rc"
check "control-character file name: imported" 1 "$(json_get "$out" imported)"
if LC_ALL=C grep -q "$(printf '[\001\033]')" "$WORK/err"; then
    not_ok "control characters reach the log: $(od -c "$WORK/err" | head -3)"
else
    ok "no raw control characters in the log"
fi
reports0=$((reports0 + 1))

# --- A Maildir with a symlink and a FIFO in new/: skipped with a reason, never followed or opened.
MD="$WORK/md"
mkdir -p "$MD/tmp" "$MD/new" "$MD/cur"
printf 'secret' >"$WORK/outside.json"
ln -s "$WORK/outside.json" "$MD/new/1.link"
ln -s "$IN/good1.json" "$MD/new/2.link"
mkfifo "$MD/new/3.fifo"
out=$(timeout 30 "$COLLECTOR" maildir --json --db "$DB" "$MD" 2>"$WORK/err")
rc=$?
check "maildir with symlinks and a FIFO: exit status (124 = hung)" 0 "$rc"
check "maildir: nothing imported through a symlink" 0 "$(json_get "$out" imported 2>/dev/null)"
[ -L "$MD/new/1.link" ] && [ -L "$MD/new/2.link" ] && [ -p "$MD/new/3.fifo" ] \
    && ok "symlinks and FIFO left in place" || not_ok "maildir moved a symlink or FIFO: $(ls -la "$MD"/*)"
n=$(grep -ciE "symlink|not a regular|skip" "$WORK/err")
[ "$n" -ge 3 ] && ok "each non-file is logged as skipped ($n lines)" \
    || not_ok "skips not logged: $(head -c 400 "$WORK/err")"
secret=$(printf secret | sha256sum | cut -d' ' -f1)
check "file behind the symlink never stored" 0 "$(sql "$DB" "SELECT count(*) FROM raw_inputs WHERE sha256 = '$secret'")"

# --- A read-only database: a clear error, exit 73 or 75, and the file unchanged.
RO="$WORK/ro"
mkdir -p "$RO"
cp "$DB" "$RO/ro.db"
sum_before=$(sha256sum <"$RO/ro.db")
as_reader=()
if [ "$(id -u)" = 0 ]; then
    # root ignores file modes: run the collector as nobody against a root-owned 0644 file.
    if command -v setpriv >/dev/null; then
        chmod 755 "$WORK" "$RO" "$IN"
        chmod 644 "$RO/ro.db" "$IN/good1.json"
        as_reader=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    fi
else
    chmod 444 "$RO/ro.db"
    chmod 555 "$RO"
fi
if [ "$(id -u)" = 0 ] && [ ${#as_reader[@]} -eq 0 ]; then
    ok "# SKIP read-only database: running as root without setpriv"
else
    cp "$VALID/google-sts-enforce/input.json" "$IN/good2.json"
    chmod 644 "$IN/good2.json"
    timeout 60 "${as_reader[@]}" "$COLLECTOR" import --no-progress --db "$RO/ro.db" \
        "$IN/good2.json" >/dev/null 2>"$WORK/err"
    rc=$?
    case $rc in 73 | 75) ok "read-only database: exit $rc" ;; *) not_ok "read-only database: exit $rc" ;; esac
    grep -qiE "read-?only|permission|cannot open|attempt to write" "$WORK/err" \
        && ok "read-only database: message says why ($(head -n 1 "$WORK/err"))" \
        || not_ok "read-only database: unclear message '$(head -c 300 "$WORK/err")'"
    check "read-only database: file unchanged" "$sum_before" "$(sha256sum <"$RO/ro.db")"
fi
chmod 700 "$RO" "$WORK"

# --- A database locked by another process: short lock is waited for, long lock is a clear error.
cp "$VALID/google-sts-enforce/input.json" "$IN/good2.json"
exec 3< <(lock_db "$DB" 9)
read -r -t 10 line <&3
check "lock holder has the lock" locked "$line"
import "$IN/good2.json"
case $rc in 75) ok "long lock: exit 75 (busy timeout)" ;; *) not_ok "long lock: exit $rc, want 75" ;; esac
grep -qiE "locked|busy" "$WORK/err" && ok "long lock: message says locked ($(head -n 1 "$WORK/err"))" \
    || not_ok "long lock: unclear message '$(head -c 300 "$WORK/err")'"
cat <&3 >/dev/null # wait for the holder to finish
exec 3<&-
exec 3< <(lock_db "$DB" 2)
read -r -t 10 line <&3
import "$IN/good2.json"
check "short lock: import waits and succeeds" "0 1" "$rc $(json_get "$out" imported 2>/dev/null)"
cat <&3 >/dev/null
exec 3<&-
reports0=$((reports0 + 1))

# --- Nothing accepted before is lost, the database is sound, and a good report still imports.
check "integrity_check" ok "$(sql "$DB" "PRAGMA integrity_check")"
check "every accepted report still there" "$reports0" "$(sql "$DB" "SELECT count(*) FROM reports")"
check "first report's totals unchanged" "$totals0" \
    "$(sql "$DB" "SELECT count(*), total(successful), total(failed) FROM policies WHERE report = 1")"
cp "$VALID/hourly-range/input.json" "$IN/good3.json"
import "$IN/good3.json"
check "final good report: exit status" 0 "$rc"
check "final good report: imported" 1 "$(json_get "$out" imported)"
check "rejects kept with their raw bytes" 0 \
    "$(sql "$DB" "SELECT count(*) FROM rejects j LEFT JOIN raw_inputs r ON r.id = j.raw_id WHERE r.id IS NULL")"
finish
