#!/usr/bin/env python3
"""browser_xss.py - hostile report text in headless Chromium. The xss fixture (make_fixture.sh,
tests/web/xss/*.json) carries <script>, attribute-breaking "><img onerror=...>, javascript: URLs
and SVG payloads in organization-name, contact-info, report-id, mx-host, policy-string, result-type,
receiving-mx-hostname, helo, additional-information, failure-reason-code, a policy-domain, and a
rejected file's name and content. Every page that shows them is visited by following the
dashboard's own links. Passes when, on every page:
  - no dialog opens, nothing reaches the console, no exception, no browser log entry (a blocked
    inline script or handler would log a Content-Security-Policy violation);
  - the DOM has no <script>, no <img>, no on* attribute, no javascript:/data: link;
  - the payloads are on screen as text.
A control page that does run script shows the checks can fail.

Usage: browser_xss.py --web BIN --db XSS.db --shots DIR"""

import argparse
import os
import sys
import tempfile
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp  # noqa: E402
from webtest import Results, WebServer  # noqa: E402

INSPECT_JS = r"""(() => {
  const all = [...document.querySelectorAll('*')];
  const urls = [];
  for (const e of all)
    for (const a of ['href', 'src', 'action', 'formaction', 'xlink:href'])
      if (e.hasAttribute(a)) urls.push(e.getAttribute(a));
  return {
    scripts: document.querySelectorAll('script').length,
    imgs: document.querySelectorAll('img, iframe, object, embed').length,
    handlers: all.filter(e => [...e.attributes].some(a => /^on/i.test(a.name)))
                 .map(e => e.outerHTML.slice(0, 160)),
    badUrls: urls.filter(u => /^\s*(javascript|data|vbscript):/i.test(u)),
    text: document.body.innerText,
    title: document.title,
    links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
    domain: document.querySelector('h1 .domain') ? document.querySelector('h1 .domain').textContent
                                                  : '',
  };
})()"""

# Text that must be visible, literally, on the page named.
EXPECT = {
    "overview": ["\"><svg onload=console.log('xss-marker-domain')>.example"],
    "domain xss.example": ["<script>console.log('XSS-MARKER-org');alert('org')</script>",
                           "<script>console.log('XSS-MARKER-rt')</script>",
                           # MX names are lower-cased by the parser (RFC 8461 compares them so)
                           "\"><img src=x onerror=\"console.log('xss-marker-mx')\">.xss.example",
                           "<svg><script>console.log('XSS-MARKER-reason')</script></svg>"],
    "domain evil": ["javascript:console.log('xss-marker-jsmx')",
                    "&lt;script&gt; already-escaped &amp; stays literal"],
    "report xss-org": ["</title><script>console.log('XSS-MARKER-title')</script>",
                       "javascript:console.log('XSS-MARKER-contact');alert('contact')",
                       "javascript:console.log('XSS-MARKER-addinfo')",
                       "' onmouseover='console.log(`XSS-MARKER-helo`)",
                       "<svg onload=\"console.log('xss-marker-mxhost')\"><script>alert('mxhost')"
                       "</script></svg>"],
    "rejects": ["\"><img src=x onerror=console.log(1)>.json"],
}


class Pages:
    def __init__(self, args, r):
        self.r = r
        self.shots = args.shots
        self.web = WebServer(args.web, args.db)
        self.b = cdp.Browser(args.chromium, tempfile.mkdtemp(prefix="tlsrpt-chromium-"), 1280, 900)

    def visit(self, url, label, shot=None):
        mark = len(self.b.events)
        status = self.b.navigate(url if "://" in url else self.web.base + url)
        events = self.b.events_since(mark)
        dom = self.b.eval(INSPECT_JS)
        r = self.r
        r.check(label + ": HTTP 200", 200, status)
        problems = cdp.page_problems(events)
        r.true(label + ": no dialog, console message, exception or log entry", not problems,
               "; ".join(problems)[:800])
        r.check(label + ": no <script> element", 0, dom["scripts"])
        r.check(label + ": no img/iframe/object/embed element", 0, dom["imgs"])
        r.check(label + ": no on* attribute", [], dom["handlers"])
        r.check(label + ": no javascript:/data: URL", [], dom["badUrls"])
        for want in EXPECT.get(label, []):
            r.true("%s: shows %r as text" % (label, want[:50]), want in dom["text"], "")
        if shot:
            self.b.screenshot(os.path.join(self.shots, shot + ".png"))
        return dom

    def control(self):
        """The same checks on a page that runs script: they must notice."""
        mark = len(self.b.events)
        self.b.navigate("data:text/html,<title>c</title><script>console.log('XSS-MARKER-control');"
                        "alert('control')</script><img src=x onerror=console.log(2)>")
        problems = cdp.page_problems(self.b.events_since(mark))
        dom = self.b.eval(INSPECT_JS)
        self.r.true("control: a running script is detected (dialog and console)",
                    any("dialog" in p for p in problems) and
                    any("XSS-MARKER-control" in p for p in problems), repr(problems))
        self.r.true("control: injected elements are detected",
                    dom["scripts"] == 1 and dom["imgs"] == 1 and dom["handlers"], repr(dom)[:300])

    def stop(self):
        self.b.close()
        self.r.check("tlsrpt-web stopped cleanly on SIGTERM", 0, self.web.stop())


def tour(p, r):
    dom = p.visit("/?window=14", "overview", shot="xss-overview")
    domains = [h for h in dom["links"] if h.startswith("/domain?")]
    names = {urllib.parse.parse_qs(urllib.parse.urlparse(h).query)["d"][0]: h for h in domains}
    r.true("overview links both hostile domains", "xss.example" in names and len(names) >= 6,
           repr(sorted(names)))
    evil = [n for n in names if n.startswith('"><svg')]
    p.visit(names.get("xss.example", "/domain?d=xss.example"), "domain xss.example",
            shot="xss-domain")
    if evil:
        dom = p.visit(names[evil[0]], "domain evil", shot="xss-domain-evil")
        r.check("the hostile domain's link leads to its own page", evil[0], dom["domain"])
    dom = p.visit("/reports?window=14&d=xss.example", "report list", shot="xss-reports")
    reports = [h for h in dom["links"] if h.startswith("/report?")]
    r.true("report list links the hostile report", len(reports) == 1, repr(reports))
    for h in reports:
        dom = p.visit(h, "report xss-org", shot="xss-report")
        r.true("report xss-org: the title shows the report-id as text",
               "</title><script>" in dom["title"], dom["title"])
        reporter = [x for x in dom["links"] if x.startswith("/reports?reporter=")]
        if reporter:
            p.visit(reporter[0], "report list by hostile reporter")
    if evil:
        dom = p.visit("/reports?window=14&d=" + urllib.parse.quote(evil[0], safe=""),
                      "report list of the evil domain")
        for h in [x for x in dom["links"] if x.startswith("/report?")]:
            p.visit(h, "report xss-domain")
    p.visit("/rejects?window=14", "rejects", shot="xss-rejects")
    p.visit("/api/analysis?window=14&d=xss.example", "json api")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--web", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--shots", required=True)
    ap.add_argument("--chromium", default=cdp.find_chromium())
    args = ap.parse_args()
    os.makedirs(args.shots, exist_ok=True)
    r = Results()
    try:
        p = Pages(args, r)
    except Exception as e:  # no server or no browser: a failure, never a skip
        r.not_ok("cannot start tlsrpt-web and Chromium: %s" % e)
        return r.finish()
    try:
        tour(p, r)
        p.control()
    except Exception as e:  # a crash of the harness is a failure, never a skip
        r.not_ok("xss tour stopped: %r" % e)
    finally:
        p.stop()
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
