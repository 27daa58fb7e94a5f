"""cdp.py - drives headless Chromium through the DevTools protocol over --remote-debugging-pipe
(file descriptors 3 and 4, NUL-separated JSON): no websocket, no network port, no third-party
package. Only what the dashboard tests need: navigate, evaluate, screenshot, emulate dark mode,
and record every dialog, console message, exception and log entry a page produces."""

import base64
import fcntl
import json
import os
import queue
import shutil
import subprocess
import threading
import time

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
]


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class CDPError(Exception):
    pass


class Browser:
    """One Chromium process with one page (a flattened target session)."""

    def __init__(self, executable, user_data_dir, width=1280, height=900, timeout=30.0):
        self.timeout = timeout
        self.events = []  # every event received, in order: (method, params)
        self._next_id = 0
        self._replies = {}
        self._cond = threading.Condition()
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def child_fds():
            # Move both ends above 10 first so that dup2 onto 3 and 4 cannot clobber either.
            a = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        args = [executable] + CHROMIUM_FLAGS + ["--user-data-dir=" + user_data_dir, "about:blank"]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, preexec_fn=child_fds,
                                     pass_fds=(3, 4), close_fds=True)
        os.close(to_child_r)
        os.close(from_child_w)
        self._stderr = []
        threading.Thread(target=self._read_loop, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)
        att = self.call("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True},
                        session=False)
        self.session = att["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(domain + ".enable")
        self.set_viewport(width, height)

    def _drain_stderr(self):
        for line in self.proc.stderr:
            self._stderr.append(line.decode("utf-8", "replace"))

    def stderr_tail(self, n=20):
        return "".join(self._stderr[-n:])

    def _read_loop(self):
        buf = b""
        while True:
            try:
                chunk = os.read(self._from_child, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                with self._cond:
                    self._replies[-1] = None  # the browser went away
                    self._cond.notify_all()
                return
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw.decode("utf-8"))
                with self._cond:
                    if "id" in msg:
                        self._replies[msg["id"]] = msg
                    else:
                        self.events.append((msg.get("method"), msg.get("params", {}),
                                            msg.get("sessionId")))
                        self._on_event(msg)
                    self._cond.notify_all()

    def _on_event(self, msg):
        # A dialog would block the page: dismiss it at once (it is still recorded as an event).
        if msg.get("method") == "Page.javascriptDialogOpening":
            self._send("Page.handleJavaScriptDialog", {"accept": False}, msg.get("sessionId"))

    def _send(self, method, params, session):
        self._next_id += 1
        msg = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode("utf-8") + b"\0"
        os.write(self._to_child, data)
        return self._next_id

    def call(self, method, params=None, session=True):
        with self._cond:
            mid = self._send(method, params, self.session if session else None)
            deadline = time.monotonic() + self.timeout
            while mid not in self._replies:
                if -1 in self._replies:
                    raise CDPError("chromium exited: " + self.stderr_tail())
                left = deadline - time.monotonic()
                if left <= 0:
                    raise CDPError("timeout waiting for " + method)
                self._cond.wait(left)
            reply = self._replies.pop(mid)
        if "error" in reply:
            raise CDPError("%s: %s" % (method, reply["error"]))
        return reply.get("result", {})

    def wait_event(self, method, start_index, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._cond:
            while True:
                for ev in self.events[start_index:]:
                    if ev[0] == method:
                        return ev[1]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise CDPError("timeout waiting for event " + method)
                self._cond.wait(left)

    def set_viewport(self, width, height):
        self.width, self.height = width, height
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def color_scheme(self, scheme):
        """'light' or 'dark' (prefers-color-scheme)."""
        self.call("Emulation.setEmulatedMedia",
                  {"features": [{"name": "prefers-color-scheme", "value": scheme}]})

    def navigate(self, url):
        """Loads url and waits for the load event. Returns the HTTP status of the document."""
        mark = len(self.events)
        self.call("Network.enable")
        res = self.call("Page.navigate", {"url": url})
        if res.get("errorText"):
            raise CDPError("navigation to %s failed: %s" % (url, res["errorText"]))
        self.wait_event("Page.loadEventFired", mark)
        status = None
        for method, params, _ in self.events[mark:]:
            if method == "Network.responseReceived" and params.get("type") == "Document":
                status = params["response"]["status"]
        return status

    def eval(self, expression):
        res = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in res:
            raise CDPError("evaluation failed: %s" % json.dumps(res["exceptionDetails"])[:500])
        return res["result"].get("value")

    def screenshot(self, path, full_page=True):
        """Writes a PNG of the page (the whole document when full_page)."""
        params = {"format": "png"}
        if full_page:
            metrics = self.call("Page.getLayoutMetrics")
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            params["captureBeyondViewport"] = True
            params["clip"] = {"x": 0, "y": 0, "width": self.width,
                              "height": max(self.height, int(size["height"])), "scale": 1}
        data = self.call("Page.captureScreenshot", params)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def events_since(self, mark):
        with self._cond:
            return list(self.events[mark:])

    def close(self):
        try:
            self.call("Browser.close", session=False)
        except CDPError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass


def page_problems(events):
    """Dialogs, console messages, uncaught exceptions and browser log entries of a page load:
    a dashboard page must produce none (no script of ours runs at all)."""
    out = []
    for method, params, _ in events:
        if method == "Page.javascriptDialogOpening":
            out.append("dialog: %s %r" % (params.get("type"), params.get("message")))
        elif method == "Runtime.consoleAPICalled":
            args = [a.get("value", a.get("description")) for a in params.get("args", [])]
            out.append("console.%s: %r" % (params.get("type"), args))
        elif method == "Runtime.exceptionThrown":
            out.append("exception: %s" % json.dumps(params.get("exceptionDetails"))[:300])
        elif method == "Log.entryAdded":
            e = params.get("entry", {})
            out.append("log %s/%s: %s" % (e.get("source"), e.get("level"), e.get("text")))
    return out


__all__ = ["Browser", "CDPError", "find_chromium", "page_problems"]
