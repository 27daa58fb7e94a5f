"""webtest.py - what the dashboard's browser and HTTP tests share: the ok/not ok counter, starting
and stopping a real tlsrpt-web, calling tlsrpt-report, and the number formats of the pages."""

import json
import os
import re
import select
import signal
import subprocess
import time
import urllib.error
import urllib.request

NOW = "2026-03-15T12:00:00Z"  # make_fixture.sh dates everything before this


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, what):
        self.passed += 1
        print("ok - " + what, flush=True)

    def not_ok(self, what):
        self.failed += 1
        print("not ok - " + what, flush=True)

    def check(self, what, expected, actual):
        if expected == actual:
            self.ok(what)
        else:
            self.not_ok("%s: expected %r, got %r" % (what, expected, actual))

    def true(self, what, cond, detail=""):
        if cond:
            self.ok(what)
        else:
            self.not_ok(what + (": " + detail if detail else ""))

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)
        return 0 if self.failed == 0 else 1


class WebServer:
    """tlsrpt-web on a free loopback port; stop() returns its exit status (ASan leaks fail it)."""

    def __init__(self, binary, db, *extra):
        args = [binary, "--db", db, "--listen", "127.0.0.1:0", "--now", NOW] + list(extra)
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.log = []
        self.port = None
        deadline = time.monotonic() + 20
        while self.port is None and time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stderr], [], [], 0.5)
            if not ready:
                if self.proc.poll() is not None:
                    break
                continue
            line = self.proc.stderr.readline().decode("utf-8", "replace")
            if not line:
                break
            self.log.append(line)
            m = re.search(r"listening on https?://[^:]+:(\d+)/", line)
            if m:
                self.port = int(m.group(1))
        if self.port is None:
            self.proc.kill()
            raise RuntimeError("tlsrpt-web did not start: " + "".join(self.log))
        self.base = "http://127.0.0.1:%d" % self.port

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            _, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        self.log.append(err.decode("utf-8", "replace"))
        return self.proc.returncode


def http_get(url, method="GET", headers=None):
    """(status, headers, body bytes) without raising on 4xx/5xx."""
    req = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def report_json(report_bin, db, *args):
    """The document of tlsrpt-report --format json (its exit status is the verdict, not an error)."""
    cmd = [report_bin, "--db", db, "--format", "json", "--now", NOW] + list(args)
    out = subprocess.run(cmd, capture_output=True, check=False)
    if out.returncode > 2:
        raise RuntimeError("tlsrpt-report failed: " + out.stderr.decode())
    return json.loads(out.stdout)


def fmt_int(n):
    return "{:,}".format(n)


def fmt_rate(successful, failed):
    """web/html.c fmt_rate of failed / (successful + failed)."""
    total = successful + failed
    if total == 0:
        return "\u2013"
    f = failed / total
    if f == 0:
        return "0%"
    if f < 0.0001:
        return "<0.01%"
    return "%.2f%%" % (f * 100.0)


def env_path(name, default):
    return os.environ.get(name, default)
