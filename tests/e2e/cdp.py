#!/usr/bin/env python3
"""cdp.py - drives headless Chromium through a page, for the browser tests.

    cdp.py [--timeout S] [--size WxH] URL STEP...

Starts Debian's chromium headless with a fresh profile, speaks the DevTools
protocol to it over --remote-debugging-pipe (NUL-separated JSON on fds 3
and 4: no port, no websocket, nothing to download; Python's standard
library only), opens URL, and runs the steps in order:

    wait:EXPR        until the JavaScript EXPR is truthy (polled every 50 ms)
    eval:EXPR        prints the JSON value of EXPR on one line
    run:COMMAND      runs a shell command; its failure fails the script
    file:SEL=PATH    puts the file PATH in the file input matched by the CSS
                     selector SEL, as a person choosing it would
    screenshot:FILE  writes the viewport (WxH) as PNG
    goto:URL         opens URL in the same page (a path alone: on URL's server)
    media:TYPE       emulates CSS media TYPE (print, screen; "" for none)
    pdf:FILE         prints the page to PDF as the browser's print does, with
                     the page's own @page sizes and margins
    noerrors         fails if the page threw, or logged an error other than
                     a failed HTTP request (e.g. a Content-Security-Policy
                     violation)

Each step has --timeout seconds (default 10). Exits 0, or 1 with one line
saying which step failed and why. Chromium is always stopped at the end.
"""
import argparse
import base64
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--mute-audio",
    "--remote-debugging-pipe",
]


class Failure(Exception):
    pass


class Browser:
    """One chromium process and one page target attached over the pipe."""

    def __init__(self, size, log):
        self.profile = tempfile.mkdtemp(prefix="lawtally-chromium.")
        # The pipe ends go above 9 so that dup2 onto 3 and 4 never aliases them.
        cmd_r, cmd_w = os.pipe()
        resp_r, resp_w = os.pipe()
        hi = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (cmd_r, resp_w)]
        for fd in (cmd_r, resp_w):
            os.close(fd)
        exe = shutil.which("chromium") or "/usr/bin/chromium"
        argv = [exe, *CHROMIUM_FLAGS, "--user-data-dir=" + self.profile,
                "--window-size=%d,%d" % size, "about:blank"]
        self.pid = os.posix_spawn(exe, argv, os.environ, file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, log, 1), (os.POSIX_SPAWN_DUP2, log, 2),
            (os.POSIX_SPAWN_DUP2, hi[0], 3), (os.POSIX_SPAWN_DUP2, hi[1], 4),
        ], setpgroup=0)
        for fd in hi:
            os.close(fd)
        self.w, self.r = cmd_w, resp_r
        self.buf = b""
        self.next_id = 0
        self.session = None
        self.errors = []

    def close(self):
        try:
            self.send("Browser.close", timeout=3, session=False)
        except (Failure, OSError):
            pass
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            if os.waitpid(self.pid, os.WNOHANG)[0]:
                break
            time.sleep(0.05)
        else:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self.pid, 0)
        for fd in (self.w, self.r):
            os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.r], [], [], left)[0]:
                raise Failure("chromium did not answer in time")
            chunk = os.read(self.r, 65536)
            if not chunk:
                raise Failure("chromium closed the DevTools pipe (see its log)")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def _note(self, m):
        """Keeps what noerrors looks at from the events that pass by."""
        method, p = m.get("method"), m.get("params", {})
        if method == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            self.errors.append("exception: " + d.get("exception", {}).get("description", d["text"]))
        elif method == "Runtime.consoleAPICalled" and p["type"] == "error":
            self.errors.append("console.error: " + " ".join(
                str(a.get("value", a.get("description", ""))) for a in p["args"]))
        elif method == "Log.entryAdded" and p["entry"]["level"] == "error" \
                and p["entry"]["source"] != "network":
            self.errors.append("%s: %s" % (p["entry"]["source"], p["entry"]["text"]))

    def send(self, method, params=None, timeout=10, session=True):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise Failure("%s: %s" % (method, m["error"].get("message")))
                return m.get("result", {})
            self._note(m)

    def open(self, url, size, timeout):
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)
        self.session = self.send("Target.attachToTarget", {
            "targetId": target["targetId"], "flatten": True}, session=False)["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            self.send(domain + ".enable")
        self.send("Emulation.setDeviceMetricsOverride", {
            "width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": False})
        nav = self.send("Page.navigate", {"url": url}, timeout=timeout)
        if nav.get("errorText"):
            raise Failure("cannot open %s: %s" % (url, nav["errorText"]))

    def evaluate(self, expr, timeout):
        r = self.send("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                           "awaitPromise": True}, timeout=timeout)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise Failure("%s: %s" % (expr, d.get("exception", {}).get("description", d["text"])))
        return r["result"].get("value")


def run_step(b, step, size, timeout, base):
    kind, _, arg = step.partition(":")
    if kind == "goto" and arg.startswith("/"):
        arg = urllib.parse.urljoin(base, arg)
    deadline = time.monotonic() + timeout
    if kind == "wait":
        last = None
        while time.monotonic() < deadline:
            try:
                if b.evaluate(arg, timeout):
                    return
            except Failure as e:
                last = e
            time.sleep(0.05)
        raise Failure("timed out after %gs%s" % (timeout, " (last: %s)" % last if last else ""))
    if kind == "eval":
        print(json.dumps(b.evaluate(arg, timeout), ensure_ascii=False), flush=True)
    elif kind == "run":
        try:
            subprocess.run(arg, shell=True, check=True, timeout=timeout)
        except subprocess.SubprocessError as e:
            raise Failure(str(e))
    elif kind == "file":
        sel, _, path = arg.partition("=")
        root = b.send("DOM.getDocument", timeout=timeout)["root"]["nodeId"]
        node = b.send("DOM.querySelector", {"nodeId": root, "selector": sel}, timeout=timeout)
        if not node.get("nodeId"):
            raise Failure("no element matches %s" % sel)
        b.send("DOM.setFileInputFiles", {"nodeId": node["nodeId"], "files": [path]},
               timeout=timeout)
    elif kind == "screenshot":
        shot = b.send("Page.captureScreenshot", {"format": "png", "clip": {
            "x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}}, timeout=timeout)
        with open(arg, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
    elif kind == "goto":
        nav = b.send("Page.navigate", {"url": arg}, timeout=timeout)
        if nav.get("errorText"):
            raise Failure("cannot open %s: %s" % (arg, nav["errorText"]))
    elif kind == "media":
        b.send("Emulation.setEmulatedMedia", {"media": arg}, timeout=timeout)
    elif kind == "pdf":
        pdf = b.send("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True},
                     timeout=timeout)
        with open(arg, "wb") as f:
            f.write(base64.b64decode(pdf["data"]))
    elif kind == "noerrors":
        b.send("Runtime.evaluate", {"expression": "0"})  # collects the events queued so far
        if b.errors:
            raise Failure("; ".join(b.errors))
    else:
        raise Failure("unknown step kind '%s'" % kind)


def main():
    ap = argparse.ArgumentParser(description="Drive headless Chromium through a page.")
    ap.add_argument("--timeout", type=float, default=10)
    ap.add_argument("--size", default="1280x1600")
    ap.add_argument("--log", default=os.devnull, help="chromium's own output")
    ap.add_argument("url")
    ap.add_argument("steps", nargs="*")
    a = ap.parse_args()
    size = tuple(int(x) for x in a.size.split("x"))
    log = os.open(a.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    b = Browser(size, log)
    step = "open " + a.url
    try:
        b.open(a.url, size, a.timeout)
        for step in a.steps:
            run_step(b, step, size, a.timeout, a.url)
    except Failure as e:
        print("cdp.py: %s: %s" % (step, e), file=sys.stderr)
        return 1
    finally:
        b.close()
        os.close(log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
