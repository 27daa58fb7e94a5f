#!/usr/bin/env python3
"""browser_pages.py - drives headless Chromium through every page of a real tlsrpt-web on the
fixture database (make_fixture.sh), following the links the pages themselves offer. On each page:
HTTP 200, no console message, exception, dialog or browser log entry, and the rendered numbers equal
those of `tlsrpt-report --format json` for the same window (or, for the lists, of a count made here
with SQL). Saves light and dark screenshots.

Usage: browser_pages.py --web BIN --report BIN --db FIXTURE.db --shots DIR"""

import argparse
import os
import sqlite3
import sys
import tempfile
import time
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp  # noqa: E402
from webtest import NOW, Results, WebServer, fmt_int, fmt_rate, report_json  # noqa: E402

DOM_JS = r"""(() => {
  const text = e => e ? e.textContent.trim().replace(/\s+/g, ' ') : null;
  const cards = {};
  for (const c of document.querySelectorAll('.card')) cards[c.id] = text(c.querySelector('.v'));
  const tables = {};
  for (const t of document.querySelectorAll('table[id]'))
    tables[t.id] = [...t.querySelectorAll('tbody tr')].map(tr => [...tr.children].map(text));
  const links = sel => [...document.querySelectorAll(sel)].map(a => a.getAttribute('href'));
  return {
    cards, tables,
    title: document.title,
    h1: text(document.querySelector('h1')),
    badge: text(document.querySelector('h1 .badge')),
    reasons: [...document.querySelectorAll('#readiness .reason > code')].map(text),
    domainLinks: links('#domains th a'),
    reportLinks: links('#reports a[href^="/report?"]'),
    older: links('.pager a').filter(h => true),
    pills: links('.pills a'),
    svgTitles: [...document.querySelectorAll('svg.chart > title, svg.spark > title')].map(text),
    charts: document.querySelectorAll('svg.chart').length,
    sparks: document.querySelectorAll('svg.spark').length,
    stylesheetRules: [...document.styleSheets].reduce((n, s) => n + s.cssRules.length, 0),
    bodyText: document.body.innerText,
  };
})()"""


def num(s):
    return int(s.replace(",", ""))


class Tour:
    def __init__(self, args, results):
        self.a = args
        self.r = results
        self.web = WebServer(args.web, args.db)
        self.browser = cdp.Browser(args.chromium, tempfile.mkdtemp(prefix="tlsrpt-chromium-"),
                                   1280, 900)

    def visit(self, path, label, shot=None, status=200):
        mark = len(self.browser.events)
        got = self.browser.navigate(self.web.base + path)
        self.r.check("%s: HTTP status" % label, status, got)
        problems = cdp.page_problems(self.browser.events_since(mark))
        if status != 200:  # the browser logs the error status of the document itself
            problems = [x for x in problems if "status of %d" % status not in x]
        self.r.true("%s: no console message, exception, dialog or log entry" % label,
                    not problems, "; ".join(problems)[:800])
        dom = self.browser.eval(DOM_JS)
        self.r.true("%s: the stylesheet loaded" % label, dom["stylesheetRules"] > 50,
                    "%d rules" % dom["stylesheetRules"])
        if shot:
            self.screenshots(shot)
        return dom

    def screenshots(self, name):
        b = self.browser
        b.screenshot(os.path.join(self.a.shots, name + "-light.png"))
        b.color_scheme("dark")
        b.screenshot(os.path.join(self.a.shots, name + "-dark.png"))
        b.color_scheme("light")

    def stop(self):
        self.browser.close()
        rc = self.web.stop()
        self.r.check("tlsrpt-web stopped cleanly on SIGTERM", 0, rc)
        if rc != 0:
            print("".join(self.web.log)[-3000:])


def compare_domain(r, label, dom, d):
    """The domain page's figures against the analyzer's JSON entry d."""
    c = dom["cards"]
    ok, bad = d["successful_sessions"], d["failed_sessions"]
    r.check(label + ": verdict", d["verdict"], dom["badge"])
    r.check(label + ": sessions", fmt_int(ok + bad), c.get("card-sessions"))
    r.check(label + ": failed sessions", fmt_int(bad), c.get("card-failed"))
    r.check(label + ": failure rate", fmt_rate(ok, bad), c.get("card-rate"))
    r.check(label + ": reports", fmt_int(d["reports"]), c.get("card-reports"))
    r.check(label + ": organizations", fmt_int(d["organizations"]), c.get("card-orgs"))
    r.check(label + ": days with reports", fmt_int(d["days_with_reports"]), c.get("card-days"))
    r.check(label + ": readiness reason codes",
            [x["code"] for x in d["readiness"]["reasons"]], dom["reasons"])
    t = dom["tables"]
    want = [[o["organization"], fmt_int(o["reports"]),
             fmt_int(o["successful_sessions"] + o["failed_sessions"]), fmt_int(o["failed_sessions"]),
             fmt_rate(o["successful_sessions"], o["failed_sessions"])]
            for o in d["by_organization"]]
    r.check(label + ": table by organization", want, [row[:5] for row in t.get("t-orgs", [])])
    want = [[k, fmt_int(v)] for k, v in d["by_result_type"].items()]
    got = [row[:2] for row in t.get("t-rt", []) if len(row) > 1]
    r.check(label + ": table by result type", want, got)
    want = [[m["mx"], m["kind"], fmt_int(m["failed_sessions"])] for m in d["by_mx"]]
    got = [row[:3] for row in t.get("t-mx", []) if len(row) > 2]
    r.check(label + ": table by MX", want, got)
    want = [[p["mode"] or "(none)", fmt_int(p["reports"])] for p in d["policies"]]
    got = [[row[0].replace(" newest", ""), row[3]] for row in t.get("t-policies", []) if len(row) > 3]
    r.check(label + ": table of policies", want, got)
    # The chart's table covers the whole window; the analyzer's daily series starts at the first
    # report: every analyzer day must be in the table with the same figures, the rest zero.
    days = {row[0]: row[1:3] for row in t.get("t-days", [])}
    mismatch = [x["date"] for x in d["daily"]
                if days.get(x["date"]) != [fmt_int(x["successful_sessions"]),
                                           fmt_int(x["failed_sessions"])]]
    extra = [k for k, v in days.items()
             if k not in {x["date"] for x in d["daily"]} and v != ["0", "0"]]
    r.true(label + ": daily table equals the analyzer's daily series", not mismatch and not extra,
           "differs on %s" % (mismatch + extra))
    r.true(label + ": a chart with a title", dom["charts"] == 1 and dom["svgTitles"], "")


def overview(tour, r, doc):
    dom = tour.visit("/", "overview", shot="overview")
    rows = {row[0]: row for row in dom["tables"].get("domains", [])}
    r.check("overview: one row per analysed domain", sorted(d["domain"] for d in doc["domains"]),
            sorted(rows))
    for d in doc["domains"]:
        row = rows.get(d["domain"], [])
        ok, bad = d["successful_sessions"], d["failed_sessions"]
        want = [d["domain"], d["verdict"], d["readiness"]["newest_mode"] or "\u2013",
                fmt_int(d["reports"]), fmt_int(d["organizations"]), fmt_int(ok + bad),
                fmt_int(bad), fmt_rate(ok, bad)]
        r.check("overview: row of " + d["domain"], want, row[:8])
    total_ok = sum(d["successful_sessions"] for d in doc["domains"])
    total_bad = sum(d["failed_sessions"] for d in doc["domains"])
    r.check("overview: total sessions", fmt_int(total_ok + total_bad),
            dom["cards"].get("card-sessions"))
    r.check("overview: sparkline per domain", len(doc["domains"]), dom["sparks"])
    r.check("overview: rejected inputs card", "2", dom["cards"].get("card-rejects"))
    return dom


def domain_pages(tour, r, doc, links):
    by_name = {d["domain"]: d for d in doc["domains"]}
    for href in links:
        name = urllib.parse.parse_qs(urllib.parse.urlparse(href).query)["d"][0]
        dom = tour.visit(href, "domain " + name, shot="domain-" + name.split(".")[0])
        compare_domain(r, "domain " + name, dom, by_name[name])


def other_windows(tour, r, args):
    name = "broken-mx.example"
    dom = tour.visit("/domain?d=%s&window=14" % name, "domain window 14")
    thirty = [h for h in dom["pills"] if "window=30" in h]
    r.check("window selector offers 30 days for the same domain", 1, len(thirty))
    if thirty:
        d = report_json(args.report, args.db, "--since", "30d", "--domain", name)["domains"][0]
        compare_domain(r, "window 30", tour.visit(thirty[0], "domain window 30"), d)
    d = report_json(args.report, args.db, "--since", "2026-03-05", "--until", "2026-03-10",
                    "--domain", name)["domains"][0]
    dom = tour.visit("/domain?d=%s&window=custom&since=2026-03-05&until=2026-03-09" % name,
                     "domain custom window", shot="domain-custom-window")
    compare_domain(r, "custom window", dom, d)


def pending_overview(tour, r, args):
    """A window nothing was computed for, on a server that does not wait for the analysis
    (--overview-wait 0): Chromium gets the page saying it is being made, reloads it by itself (the
    Refresh header; the dashboard has no script) and then shows the numbers of tlsrpt-report."""
    web = WebServer(args.web, args.db, "--overview-wait", "0")
    try:
        mark = len(tour.browser.events)
        status = tour.browser.navigate(web.base + "/?window=custom&since=2026-03-02&until=2026-03-12")
        r.check("pending overview: HTTP status", 200, status)
        dom = tour.browser.eval(DOM_JS)
        r.true("pending overview: says the analysis is being made",
               "is being made" in dom["bodyText"] and "card-sessions" not in dom["cards"],
               dom["bodyText"][:300])
        tour.screenshots("overview-pending")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "card-sessions" not in dom["cards"]:
            time.sleep(0.5)
            try:
                dom = tour.browser.eval(DOM_JS)
            except Exception:  # the reload may be under way
                pass
        doc = report_json(args.report, args.db, "--since", "2026-03-02", "--until", "2026-03-13")
        total = sum(d["successful_sessions"] + d["failed_sessions"] for d in doc["domains"])
        r.check("pending overview: reloaded by itself, then the sessions of tlsrpt-report",
                fmt_int(total), dom["cards"].get("card-sessions"))
        r.check("pending overview: one row per domain of tlsrpt-report",
                sorted(d["domain"] for d in doc["domains"]),
                sorted(row[0] for row in dom["tables"].get("domains", [])))
        problems = cdp.page_problems(tour.browser.events_since(mark))
        r.true("pending overview: no console message, exception, dialog or log entry",
               not problems, "; ".join(problems)[:800])
    finally:
        r.check("tlsrpt-web --overview-wait 0 stopped cleanly on SIGTERM", 0, web.stop())


def report_list(tour, r, args, doc):
    since, until = doc["window"]["since"], doc["window"]["until"]
    con = sqlite3.connect("file:%s?mode=ro" % args.db, uri=True)
    want = con.execute("SELECT count(*) FROM reports WHERE start_time >= strftime('%s', ?)"
                       " AND start_time < strftime('%s', ?)", (since, until)).fetchone()[0]
    failing = con.execute(
        "SELECT count(*) FROM reports r WHERE start_time >= strftime('%s', ?) AND"
        " start_time < strftime('%s', ?) AND EXISTS (SELECT 1 FROM policies p WHERE"
        " p.report = r.id AND p.failed > 0 AND p.policy_domain = 'broken-mx.example')",
        (since, until)).fetchone()[0]
    con.close()
    path, seen, pages, first = "/reports?window=14", 0, 0, None
    while path and pages < 20:
        pages += 1
        dom = tour.visit(path, "report list page %d" % pages,
                         shot="reports" if pages == 1 else None)
        seen += len(dom["tables"].get("reports", []))
        first = first or dom["reportLinks"]
        older = [h for h in dom["older"] if "page=%d" % (pages + 1) in h]
        path = older[0] if older else None
    r.check("report list: rows over all pages equal the reports in the window", want, seen)
    r.true("report list: more than one page", pages > 1, "%d pages" % pages)
    dom = tour.visit("/reports?d=broken-mx.example&failures=1&window=14", "report list filtered",
                     shot="reports-filtered")
    rows = dom["tables"].get("reports", [])
    r.check("report list filtered: rows", min(failing, 50), len(rows))
    r.true("report list filtered: every row has failed sessions",
           all(num(row[6]) > 0 for row in rows), "")
    return first


def one_report(tour, r, args, links):
    r.true("report list links to reports", bool(links), "")
    if not links:
        return
    rid = int(urllib.parse.parse_qs(urllib.parse.urlparse(links[0]).query)["id"][0])
    con = sqlite3.connect("file:%s?mode=ro" % args.db, uri=True)
    report_id, org = con.execute("SELECT report_id, organization_name FROM reports WHERE id = ?",
                                 (rid,)).fetchone()
    con.close()
    dom = tour.visit(links[0], "one report", shot="report")
    r.check("one report: heading", "Report " + report_id, dom["h1"])
    text = dom["bodyText"]
    r.true("one report: organization shown", org in text, "")
    r.true("one report: original JSON pretty-printed", '"report-id": "%s"' % report_id in text, "")
    r.true("one report: where it came from", "Where it came from" in text and "file" in text, "")


def rejects(tour, r):
    dom = tour.visit("/rejects?window=14", "rejects", shot="rejects")
    rows = dom["tables"].get("rejects", [])
    r.check("rejects: both rejected inputs listed", 2, len(rows))
    text = dom["bodyText"]
    r.true("rejects: reasons shown", "missing" in text and "gzip stream truncated" in text, "")
    r.true("rejects: sources shown", "no-report-id.json" in text and "truncated.json.gz" in text,
           "")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--web", required=True)
    p.add_argument("--report", required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--shots", required=True)
    p.add_argument("--chromium", default=cdp.find_chromium())
    args = p.parse_args()
    r = Results()
    os.makedirs(args.shots, exist_ok=True)
    try:
        tour = Tour(args, r)
    except Exception as e:  # no server or no browser: a failure, never a skip
        r.not_ok("cannot start tlsrpt-web and Chromium: %s" % e)
        return r.finish()
    try:
        doc = report_json(args.report, args.db, "--since", "14d")
        r.check("fixture: four scenario domains", 4, len(doc["domains"]))
        dom = overview(tour, r, doc)
        domain_pages(tour, r, doc, dom["domainLinks"])
        other_windows(tour, r, args)
        pending_overview(tour, r, args)
        one_report(tour, r, args, report_list(tour, r, args, doc))
        rejects(tour, r)
        tour.visit("/no-such-page", "unknown page", shot="not-found", status=404)
        tour.visit("/domain?window=17", "bad parameter", status=400)
    except Exception as e:  # a crash of the harness is a failure, never a skip
        r.not_ok("browser tour stopped: %r" % e)
    finally:
        tour.stop()
    print("screenshots in " + args.shots)
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
