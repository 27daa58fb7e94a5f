#!/usr/bin/env python3
"""gen_check.py DIR - checks tlsrpt-gen --scenarios --format all --today 2026-03-15 output in DIR.

Used by test_gen.sh. Prints one "ok - ..." / "not ok - ..." line per check. Everything is judged
from the written files (JSON, gzip, MIME), never from what the generator says about itself.
"""
import collections
import email
import email.policy
import glob
import gzip
import json
import os
import re
import sys

S = sys.argv[1]
YESTERDAY = "2026-03-14"


def want(cond, what):
    print(("ok - " if cond else "not ok - ") + what)


def load_reports():
    reports, fails = [], []
    for f in sorted(glob.glob(os.path.join(S, "json", "*.json"))):
        try:
            with open(f, encoding="utf-8") as fh:
                reports.append((os.path.basename(f), json.load(fh)))
        except ValueError as e:
            fails.append(f"{f}: {e}")
    want(reports and not fails, f"all {len(reports)} .json files parse as JSON {fails[:2]}")
    return reports


def check_shapes(reports):
    top = {"organization-name", "date-range", "contact-info", "report-id", "policies"}
    want(all(top <= set(j) for _, j in reports), "every report has the RFC 8460 top-level keys")
    ids = [(j["organization-name"], j["report-id"]) for _, j in reports]
    want(len(ids) == len(set(ids)), "report ids unique per reporter")

    def by_org(org):
        return [(n, j) for n, j in reports if j["organization-name"] == org]

    def google_ok(n, j):
        return (re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00Z_[a-z0-9.-]+", j["report-id"])
                and j["date-range"]["end-datetime"].endswith("T23:59:59Z")
                and isinstance(j["policies"][0]["policy"].get("mx-host"), list)
                and j["contact-info"] == "smtp-tls-reporting@google.com"
                and n.startswith("google.com!") and n.endswith("!001.json"))

    g = by_org("Google Inc.")
    want(g and all(google_ok(n, j) for n, j in g), f"google shape ({len(g)} reports)")

    def ms_ok(j):
        p = j["policies"]
        tlsa = p[1]["policy"]["policy-string"]
        return ([x["policy"]["policy-type"] for x in p] == ["sts", "tlsa"]
                and p[0]["summary"] == p[1]["summary"]
                and all("mx-host" not in x["policy"] for x in p)
                and len(tlsa) == 1
                and all(rr.startswith("3 1 1 ") for rr in json.loads(tlsa[0]))
                and re.fullmatch(r"\d{18}\+[a-z0-9.-]+", j["report-id"])
                and p[0]["policy"]["policy-string"][-1].startswith("max_age:"))

    ms = by_org("Microsoft Corporation")
    want(ms and all(ms_ok(j) for _, j in ms),
         f"microsoft shape: sts+tlsa twin, TLSA as JSON in a string ({len(ms)})")

    ru = by_org("Mail.ru")
    want(ru and all(j["report-id"].endswith("@mail.ru")
                    and j["date-range"]["end-datetime"].endswith("T00:00:00Z")
                    and "mx-host" not in j["policies"][0]["policy"] for _, j in ru),
         f"mail.ru shape ({len(ru)})")
    fetch = [d for _, j in ru for p in j["policies"] for d in p.get("failure-details", [])
             if d["result-type"] == "sts-policy-fetch-error"]
    want(fetch and all("sending-mta-ip" not in d and "receiving-ip" not in d
                       and "mta-sts.txt" in d.get("failure-reason-code", "") for d in fetch),
         "mail.ru fetch errors: no IPs, Go error text")

    st = [(n, j) for n, j in reports if j["contact-info"] is None]
    want(st and all(j["policies"][0].get("failure-details") is not None
                    and j["policies"][0]["policy"].get("mx-host") == [] for _, j in st),
         f"stalwart shape: contact-info null, failure-details and mx-host lists ({len(st)})")


def per_domain(reports):
    """Totals per policy domain, sts policies only (quirks.md §6.1)."""
    dom = collections.defaultdict(lambda: {"ok": 0, "fail": 0, "days": set(), "orgs": set(),
                                           "types": collections.Counter(), "mx": set(),
                                           "modes": {}, "fail_days": set()})
    for _, j in reports:
        day = j["date-range"]["start-datetime"][:10]
        org = j["organization-name"]
        for p in j["policies"]:
            if p["policy"]["policy-type"] != "sts":
                continue
            d = dom[p["policy"]["policy-domain"]]
            d["ok"] += p["summary"]["total-successful-session-count"]
            d["fail"] += p["summary"]["total-failure-session-count"]
            d["days"].add(day)
            d["orgs"].add(org)
            if p["summary"]["total-failure-session-count"] and org in (
                    "Google Inc.", "Microsoft Corporation"):
                d["fail_days"].add(day)
            for fd in p.get("failure-details", []):
                d["types"][fd["result-type"]] += fd["failed-session-count"]
                if fd.get("receiving-mx-hostname"):
                    d["mx"].add(fd["receiving-mx-hostname"])
            for line in p["policy"].get("policy-string", []):
                if line.startswith("mode:"):
                    d["modes"][(day, org)] = line.split(":")[1].strip()
    return dom


def check_roles(reports):
    dom = per_domain(reports)
    names = {"ready.example", "broken-mx.example", "sparse.example", "enforcing.example"}
    want(set(dom) == names, f"exactly the four scenario domains: {sorted(dom)}")
    if set(dom) != names:
        return
    r = dom["ready.example"]
    total = r["ok"] + r["fail"]
    want(len(r["days"]) >= 7 and len(r["orgs"]) >= 3 and total >= 7000
         and r["fail"] / total < 0.001 and set(r["modes"].values()) == {"testing"},
         f"ready.example: {len(r['days'])} days, {len(r['orgs'])} reporters, {total} sessions, "
         f"{r['fail']} failures, testing")
    b = dom["broken-mx.example"]
    want(b["mx"] == {"mx2.broken-mx.example"} and len(b["fail_days"]) >= 3
         and set(b["types"]) == {"certificate-host-mismatch", "certificate-expired"}
         and {"Google Inc.", "Microsoft Corporation"} <= b["orgs"],
         f"broken-mx.example: failures on {sorted(b['mx'])} on {len(b['fail_days'])} days "
         f"from Google/Microsoft: {dict(b['types'])}")
    s = dom["sparse.example"]
    n = s["ok"] + s["fail"]
    want(len(s["days"]) == 2 and len(s["orgs"]) == 1 and 0 < n < 50,
         f"sparse.example: {len(s['days'])} days, {len(s['orgs'])} reporter, {n} sessions")
    e = dom["enforcing.example"]
    newest = max(e["days"])
    starttls = e["types"]["starttls-not-supported"]
    want(e["modes"].get((newest, "Google Inc.")) == "enforce"
         and "testing" in e["modes"].values() and starttls > 0,
         f"enforcing.example: enforce on {newest}, testing earlier, "
         f"starttls-not-supported {starttls}")
    want(max(max(d["days"]) for d in dom.values()) == YESTERDAY,
         "newest report covers yesterday (--today 2026-03-15)")


def check_emails():
    need = ["From", "To", "Date", "Message-ID", "Subject", "TLS-Report-Domain",
            "TLS-Report-Submitter"]
    bad = []
    files = sorted(glob.glob(os.path.join(S, "eml", "*.eml")))
    for f in files:
        with open(f, "rb") as fh:
            m = email.message_from_binary_file(fh, policy=email.policy.default)
        missing = [h for h in need if not m[h]]
        parts = [p for p in m.walk() if p.get_content_type() == "application/tlsrpt+gzip"]
        dom, sub = str(m["TLS-Report-Domain"]), str(m["TLS-Report-Submitter"])
        subject = " ".join(str(m["Subject"]).split())  # unfolded (Microsoft, Mail.ru fold it)
        try:
            j = json.loads(gzip.decompress(parts[0].get_payload(decode=True)))
            name = parts[0].get_filename()
            with open(os.path.join(S, "json", name[:-3]), encoding="utf-8") as fh:
                same = json.load(fh) == j
            same = same and j["policies"][0]["policy"]["policy-domain"] == dom
        except (IndexError, OSError, ValueError, TypeError, KeyError) as ex:
            same, name = False, str(ex)
        if (missing or m.get_content_type() != "multipart/report"
                or m.get_param("report-type") != "tlsrpt" or len(parts) != 1 or not same
                or not re.fullmatch(r"Report Domain: %s Submitter: %s Report-ID: \S+"
                                    % (re.escape(dom), re.escape(sub)), subject)):
            bad.append((os.path.basename(f), missing, name))
    want(files and not bad,
         f"all {len(files)} .eml: RFC 8460 headers, multipart/report; report-type=tlsrpt, "
         f"report part = the .json of its file name {bad[:2]}")


reports = load_reports()
if reports:
    check_shapes(reports)
    check_roles(reports)
check_emails()
