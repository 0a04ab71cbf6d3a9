"""Load a page in headless Chromium and report what a reader's browser would do with it.

Speaks the DevTools protocol over ``--remote-debugging-pipe`` (JSON messages
separated by NUL bytes on file descriptors 3 and 4), so it needs nothing beyond
the standard library and the ``chromium`` binary (Debian package ``chromium``;
``make test`` installs it when missing). Used by tests/test_report_browser.py
and by ``make golden`` for the screenshot in docs/.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BINARIES = ("chromium", "chromium-browser", "google-chrome")
TIMEOUT_S = 30.0

# What the page looks like to the test: every chart's box, the page's widths, the media it was laid out for.
PROBE = """JSON.stringify({
  charts: [...document.querySelectorAll('svg.chart')].map(s => {
    const r = s.getBoundingClientRect();
    return {id: s.id, width: r.width, height: r.height,
            title: (s.querySelector(':scope > title') || {}).textContent || '',
            desc: (s.querySelector(':scope > desc') || {}).textContent || ''};
  }),
  scrollWidth: document.documentElement.scrollWidth,
  clientWidth: document.documentElement.clientWidth,
  navShown: getComputedStyle(document.querySelector('nav')).display !== 'none',
  title: document.title,
})"""


def find_chromium() -> str | None:
    """The browser binary: $CHROMIUM if set, else the first of BINARIES on PATH."""
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    return next((p for p in map(shutil.which, BINARIES) if p), None)


def _above(fd: int, lowest: int) -> int:
    """``fd`` moved to a descriptor number >= ``lowest`` (the old one closed)."""
    import fcntl

    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, lowest)
    os.close(fd)
    return moved


@dataclass
class PageReport:
    console: list[str] = field(default_factory=list)  # errors and warnings from the console, the log and exceptions
    requests: list[str] = field(default_factory=list)  # every URL the page asked for, the page itself included
    probe: dict = field(default_factory=dict)  # PROBE's answer
    screenshot: bytes | None = None


class Browser:
    """One headless Chromium; ``load`` opens a page in a fresh tab."""

    def __init__(self, binary: str):
        self.profile = tempfile.TemporaryDirectory(prefix="computecost-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # the child's ends above 4, so that moving them to 3 and 4 cannot overwrite one with the other
        to_browser_r, from_browser_w = (_above(fd, 10) for fd in (to_browser_r, from_browser_w))
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
                 "--remote-debugging-pipe", f"--user-data-dir={self.profile.name}", "about:blank"]
        # the protocol runs on the browser's fds 3 (commands in) and 4 (answers out): a small exec shim puts
        # the pipes there (the shell's redirections stop at fd 9 in dash, and Popen keeps fds by number only)
        shim = ("import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
                "os.close(int(sys.argv[1])); os.close(int(sys.argv[2])); os.execvp(sys.argv[3], sys.argv[3:])")
        self.process = subprocess.Popen([sys.executable, "-c", shim, str(to_browser_r), str(from_browser_w), binary,
                                         *flags], pass_fds=(to_browser_r, from_browser_w), stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._next_id = 0
        self._buffer = b""
        self.events: list[dict] = []

    # ------------------------------------------------------------- protocol
    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send one command and wait for its answer; events that arrive meanwhile are kept in ``events``."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str) -> dict:
        for i, event in enumerate(self.events):
            if event.get("method") == method and event.get("sessionId") == session:
                return self.events.pop(i)
        while True:
            event = self._read()
            if event.get("method") == method and event.get("sessionId") == session:
                return event
            self.events.append(event)

    def _read(self) -> dict:
        deadline = time.monotonic() + TIMEOUT_S
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_browser], [], [], max(left, 0))
            if not ready:
                raise TimeoutError(f"no answer from the browser in {TIMEOUT_S:g} s")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("the browser closed the protocol pipe (did it start?)")
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(raw)

    # ----------------------------------------------------------------- pages
    def load(self, path: Path, *, width: int = 1200, height: int = 900, mobile: bool = False, media: str = "screen",
             screenshot: bool = False) -> PageReport:
        """Open ``path`` in a new tab at a viewport of ``width`` x ``height`` CSS px and look at it."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "mobile": mobile,
                                                         "deviceScaleFactor": 2 if mobile else 1}, session)
        self.send("Emulation.setEmulatedMedia", {"media": media}, session)
        self.events = [e for e in self.events if e.get("sessionId") != session]
        self.send("Page.navigate", {"url": path.resolve().as_uri()}, session)
        self.wait_for("Page.loadEventFired", session)
        probe = self.send("Runtime.evaluate", {"expression": PROBE, "returnByValue": True}, session)
        report = PageReport(probe=json.loads(probe["result"]["value"]))
        if screenshot:
            shot = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session)
            report.screenshot = base64.b64decode(shot["data"])
        for event in self.events:
            if event.get("sessionId") != session:
                continue
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                report.console.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params["args"]))
            elif method == "Runtime.exceptionThrown":
                report.console.append(params["exceptionDetails"].get("text", "exception"))
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                report.console.append(params["entry"]["text"])
            elif method == "Network.requestWillBeSent":
                report.requests.append(params["request"]["url"])
        self.send("Target.closeTarget", {"targetId": target})
        return report

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (OSError, RuntimeError, TimeoutError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        self.profile.cleanup()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def screenshot(page: Path, out: Path, width: int = 1000, height: int = 1700) -> None:
    """A PNG of the top of ``page`` at ``width`` x ``height`` CSS px (for docs/)."""
    binary = find_chromium()
    if binary is None:
        raise SystemExit("chromium not found: install it (apt-get install chromium) to take the screenshot")
    with Browser(binary) as browser:
        report = browser.load(page, width=width, height=height, screenshot=False)
        if report.console:
            raise SystemExit(f"the page logged errors: {report.console}")
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        browser.send("Page.enable", session=session)
        browser.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "mobile": False,
                                                            "deviceScaleFactor": 1}, session)
        browser.send("Page.navigate", {"url": page.resolve().as_uri()}, session)
        browser.wait_for("Page.loadEventFired", session)
        shot = browser.send("Page.captureScreenshot", {"format": "png"}, session)
        out.write_bytes(base64.b64decode(shot["data"]))
