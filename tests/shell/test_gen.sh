#!/usr/bin/env bash
# End-to-end: tlsrpt-gen writes what it promises. File counts per format, every .json.gz a valid
# gzip (gzip -t) holding exactly the matching .json, Maildir layout, determinism from the seed,
# --reports N exactness, usage errors; gen_check.py judges JSON, emails, reporter shapes (quirks.md
# §1) and the scenario roles from the files themselves.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "python3 missing"; exit 1; }
[ -x "$GEN" ] || { not_ok "generator not built at $GEN"; finish; exit 1; }

"$GEN" --help | grep -q "Usage: tlsrpt-gen"
check "--help exits 0 and teaches" 0 $?
"$GEN" >/dev/null 2>&1
check "no --out: exit 64" 64 $?
"$GEN" --out "$WORK/x" --format pdf >/dev/null 2>&1
check "bad --format: exit 64" 64 $?
"$GEN" --out "$WORK/x" --days 0 >/dev/null 2>&1
check "--days 0: exit 64" 64 $?
"$GEN" --out "$WORK/x" --reports 12abc >/dev/null 2>&1
check "--reports 12abc: exit 64" 64 $?
"$GEN" --out "$WORK/x" --today 2026-13-40 >/dev/null 2>&1
check "bad --today: exit 64" 64 $?
"$GEN" --out /proc/no/such/dir >/dev/null 2>&1
check "uncreatable output: exit 73" 73 $?

# ---- the four scenarios in every format ----
S="$WORK/s"
"$GEN" --out "$S" --format all --seed 1 --today 2026-03-15 >"$WORK/s.out" 2>"$WORK/s.err"
check "scenarios: exit 0" 0 $?
check "scenarios: nothing on stderr" "" "$(cat "$WORK/s.err")"
n_json=$(find "$S/json" -type f -name '*.json' | wc -l)
n_gz=$(find "$S/json.gz" -type f -name '*.json.gz' | wc -l)
n_eml=$(find "$S/eml" -type f -name '*.eml' | wc -l)
n_new=$(find "$S/maildir/new" -type f -name '*.tlsrpt-gen' | wc -l)
n_said=$(sed -n 's/^tlsrpt-gen: \([0-9]*\) reports.*/\1/p' "$WORK/s.out")
[ "$n_json" -gt 50 ] && ok "scenarios: $n_json reports" || not_ok "scenarios: only $n_json reports"
check "json.gz count = json count" "$n_json" "$n_gz"
check "eml count = json count" "$n_json" "$n_eml"
check "maildir/new count = json count" "$n_json" "$n_new"
check "summary line counts the same reports" "$n_json" "$n_said"
check "maildir/tmp left empty" 0 "$(find "$S/maildir/tmp" -type f | wc -l)"
[ -d "$S/maildir/cur" ] && ok "maildir/cur exists" || not_ok "maildir/cur missing"

# every .json.gz is a real gzip file (gzip -t) and holds exactly the .json of the same name
if gzip -t "$S"/json.gz/*.json.gz 2>"$WORK/gzip.err"; then
    ok "gzip -t accepts all $n_gz .json.gz files"
else
    not_ok "gzip -t: $(head -3 "$WORK/gzip.err")"
fi
bad=0
for f in "$S"/json.gz/*.json.gz; do
    b=$(basename "$f" .gz)
    gzip -dc "$f" | cmp -s - "$S/json/$b" || { bad=$((bad + 1)); echo "# differs: $b"; }
done
check ".json.gz decompresses to the .json of the same name" 0 "$bad"
# maildir messages are the same bytes as the .eml files (as sets)
check "maildir messages = eml files" \
    "$(cd "$S/eml" && sha256sum -- * | cut -d' ' -f1 | sort)" \
    "$(cd "$S/maildir/new" && sha256sum -- * | cut -d' ' -f1 | sort)"
check "emails use LF line endings only" 0 "$(cat "$S"/eml/*.eml | tr -cd '\r' | wc -c)"

# JSON, reporter shapes and scenario roles, checked from the files themselves
python3 "$(dirname "$0")/gen_check.py" "$S" >"$WORK/py.out" 2>&1
while IFS= read -r line; do
    case "$line" in
        "ok - "*) ok "${line#ok - }" ;;
        "not ok - "*) not_ok "${line#not ok - }" ;;
        *) not_ok "python: $line" ;;
    esac
done <"$WORK/py.out"

# ---- determinism ----
"$GEN" --out "$WORK/s2" --format all --seed 1 --today 2026-03-15 --quiet
diff -r "$S" "$WORK/s2" >/dev/null
check "same seed and date: identical output" 0 $?
"$GEN" --out "$WORK/s3" --format json --seed 2 --today 2026-03-15 --quiet
diff -r "$S/json" "$WORK/s3/json" >/dev/null
check "another seed: different output" 1 $?

# ---- --reports N: exactly N distinct reports ----
"$GEN" --out "$WORK/r" --format json.gz --reports 777 --quiet
check "--reports 777: exit 0" 0 $?
check "--reports 777: 777 files" 777 "$(find "$WORK/r/json.gz" -type f | wc -l)"
check "--reports 777: only json.gz written" "json.gz" "$(ls "$WORK/r")"
distinct=$(python3 -c 'import glob, gzip, json, sys
ids = set()
for f in glob.glob(sys.argv[1] + "/*"):
    j = json.loads(gzip.open(f).read())
    ids.add((j["organization-name"], j["report-id"]))
print(len(ids))' "$WORK/r/json.gz")
check "--reports 777: 777 distinct report ids" 777 "$distinct"

# ---- --domains N: random domains only ----
"$GEN" --out "$WORK/d" --format json --domains 5 --days 3 --quiet
check "--domains 5: exit 0" 0 $?
ndom=$(python3 -c 'import glob, json, sys
names = set()
for f in glob.glob(sys.argv[1] + "/*.json"):
    names |= {p["policy"]["policy-domain"] for p in json.load(open(f))["policies"]}
scen = {"ready.example", "broken-mx.example", "sparse.example", "enforcing.example"}
print(len(names), all(n.endswith(".example") and n not in scen for n in names))' "$WORK/d/json")
check "--domains 5: five random domains" "5 True" "$ndom"

finish
