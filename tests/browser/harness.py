"""Open report pages in headless Chromium as a reader does: a harness page served with the site from
127.0.0.1 loads each page in a 1280 px iframe and measures what a reader would notice (overflow, notebook
debris, index columns, uncaptioned figures, findings without notes, broken links and images); Chromium's
rendered DOM carries the answers back. Shared by the browser tests.

Set ``COMPENDIUM_BROWSER_SITE`` to an existing reports folder to look at it instead of a fresh run (e.g. to
check that the tests fail on an old site).
"""

from __future__ import annotations

import base64
import functools
import html
import http.server
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
]
WIDTH = 1280

HARNESS = """<!DOCTYPE html><html><body><pre id="result">pending</pre>
<script>
const pages = %s;
const DEBRIS = [["NaN", /(^|[^A-Za-z])NaN($|[^A-Za-z])/], ["None", /(^|[^A-Za-z])None($|[^A-Za-z])/],
                ["nan", /(^|[^A-Za-z])nan($|[^A-Za-z])/], ["$$", /\\$\\$/], ["\\\\frac", /\\\\frac/],
                ["Python repr", /[A-Za-z]+\\([a-z_]+=|\\{'[a-z_0-9]+': /], ["Traceback", /Traceback/],
                ["Warning:", /Warning:/], ["dtype:", /dtype:/]];
async function check(page) {
  const frame = document.createElement('iframe');
  frame.style.width = '%dpx'; frame.style.height = '900px';
  document.body.appendChild(frame);
  await new Promise(r => { frame.onload = r; frame.src = page; });
  await new Promise(r => setTimeout(r, 200));
  const doc = frame.contentDocument;
  const width = doc.documentElement.scrollWidth;
  const clone = doc.body.cloneNode(true);
  clone.querySelectorAll('script, style, .input_area, .input, code').forEach(e => e.remove());
  const text = clone.textContent;
  const debris = DEBRIS.filter(([name, re]) => re.test(text)).map(([name]) => name);
  let indexTables = 0;
  for (const t of doc.querySelectorAll('table')) {
    const head = t.querySelector('thead th, tr th'); const rows = [...t.querySelectorAll('tbody tr')];
    if (rows.length >= 2 && (!head || head.textContent.trim() === '')) {
      const firsts = rows.map(r => ((r.querySelector('th, td') || {}).textContent || '').trim());
      if (firsts.every(x => /^\\d+$/.test(x))) indexTables++;
    }
  }
  const imgs = [...doc.images].map(i => ({src: (i.getAttribute('src') || '').slice(0, 80),
      ok: i.complete && i.naturalWidth > 0, alt: (i.getAttribute('alt') || '').trim(),
      caption: ((i.closest('figure') || {querySelector: () => null}).querySelector('figcaption') || {}).textContent || ''}));
  const rows = [...doc.querySelectorAll('tr.finding')].map(tr => ({status: tr.dataset.status,
      note: ((tr.querySelector('td.note') || {}).textContent || '').trim()}));
  const hrefs = [...doc.querySelectorAll('a[href]')].map(a => a.href)
                 .filter(h => h.startsWith(location.origin)).map(h => h.split('#')[0]);
  const links = [];
  for (const h of [...new Set(hrefs)]) { const r = await fetch(h, {method: 'HEAD'}); links.push({href: h, status: r.status}); }
  const align = [...doc.querySelectorAll('.compendium-summary td, .compendium-summary th')]
                 .map(c => [c.classList.contains('num'), getComputedStyle(c).textAlign]);
  const filters = ['status', 'notebook', 'year'].filter(k => doc.getElementById('filter-' + k));
  const codeCells = doc.querySelectorAll('.input_area, .highlight').length;
  // text a reader cannot see: an element with words but no box on the page (it, or an ancestor, not displayed)
  const hidden = [...doc.querySelectorAll('main p, main li, main table, main figure, main h2, main h3')]
                 .filter(e => e.textContent.trim() && e.getClientRects().length === 0)
                 .map(e => e.tagName.toLowerCase() + ': ' + e.textContent.trim().slice(0, 60));
  let filtered = null;  // the status filter used as a reader would: how many rows stay visible
  if (filters.length === 3) {
    const select = doc.getElementById('filter-status');
    select.value = 'match'; select.dispatchEvent(new Event('change'));
    filtered = [...doc.querySelectorAll('tr.finding')].filter(tr => !tr.hidden).map(tr => tr.dataset.status);
    select.value = ''; select.dispatchEvent(new Event('change'));
  }
  frame.remove();
  return {page, width, debris, indexTables, imgs, rows, links, align, filters, filtered, codeCells, hidden,
          title: doc.title, bytes: 0};
}
(async () => {
  const out = [];
  for (const p of pages) out.push(await check(p));
  document.getElementById('result').textContent = JSON.stringify(out);
})();
</script></body></html>"""


def chromium() -> str:
    found = os.environ.get("COMPENDIUM_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: .ci/run should have installed Debian's chromium")
        pytest.skip("Chromium not installed (CI installs it): apt-get install chromium")
    return found


def run_chromium(args: list[str], timeout: float = 240) -> str:
    with tempfile.TemporaryDirectory(prefix="compendium-chromium-") as profile:
        result = subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                                capture_output=True, text=True, timeout=timeout)
    return result.stdout


def _above_4(fd: int) -> int:
    """``fd`` moved to a number above 4 (so that moving it to 3 or 4 in the child cannot clobber the other)."""
    import fcntl

    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class Browser:
    """One headless Chromium driven over its DevTools pipe (``--remote-debugging-pipe``: it reads commands on
    fd 3 and writes answers on fd 4, each a JSON message ended by a NUL byte), so that many pages are shot in one
    browser: starting Chromium is most of a screenshot's cost (about 1.8 core-seconds each). A context manager.

    ``screenshot(url, target)`` loads the page in a ``width`` x ``height`` viewport, waits for its load event,
    and writes what the window shows as a PNG, as ``chromium --screenshot`` does.
    """

    def __init__(self, width: int, height: int, timeout: float = 120):
        self.width, self.height, self.timeout = width, height, timeout
        self._next_id = 0
        self._buffer = b""

    def __enter__(self) -> Browser:
        executable = chromium()  # (skips the test where there is none, before anything is opened)
        self._profile = tempfile.TemporaryDirectory(prefix="compendium-chromium-")
        self._process = None
        to_chromium, self._commands = os.pipe()
        self._answers, from_chromium = os.pipe()
        try:
            to_chromium, from_chromium = (_above_4(fd) for fd in (to_chromium, from_chromium))
            # The pipe's ends become Chromium's fds 3 and 4 by bash's redirections in the child (no Python code
            # runs between fork and exec, which a preexec_fn would, unsafe with the HTTP server's thread running;
            # bash, as dash reads only single-digit fds).
            moves = f"3<&{to_chromium} {to_chromium}<&- 4>&{from_chromium} {from_chromium}>&-"
            self._process = subprocess.Popen(  # noqa: S603 (Debian's chromium, our flags)
                ["/bin/bash", "-c", f'exec "$0" "$@" {moves}', executable, *CHROMIUM_FLAGS,
                 "--remote-debugging-pipe", f"--user-data-dir={self._profile.name}",
                 f"--window-size={self.width},{self.height}", "about:blank"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                pass_fds=(to_chromium, from_chromium))
        finally:
            os.close(to_chromium)
            os.close(from_chromium)
        try:
            target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
            self._session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            self._call("Page.enable", session=True)
            self._call("Emulation.setDeviceMetricsOverride", {"width": self.width, "height": self.height,
                                                              "deviceScaleFactor": 1, "mobile": False}, session=True)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self._process is not None and self._process.poll() is None:
                self._call("Browser.close")
                self._process.wait(timeout=30)
        except Exception:  # noqa: BLE001 (whatever went wrong, the browser is stopped below)
            pass
        finally:
            if self._process is not None and self._process.poll() is None:
                self._process.kill()
            if self._process is not None:
                self._process.wait()
            os.close(self._commands)
            os.close(self._answers)
            self._profile.cleanup()

    def screenshot(self, url: str, target: Path) -> Path:
        loaded = self._call("Page.navigate", {"url": url}, session=True, until="Page.loadEventFired")
        if loaded.get("errorText"):  # an error page would be shot as if it were the report
            raise RuntimeError(f"Chromium could not open {url}: {loaded['errorText']}")
        shot = self._call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": False}, session=True)
        target.write_bytes(base64.b64decode(shot["data"]))
        return target

    def _call(self, method: str, params: dict | None = None, *, session: bool = False, until: str | None = None
              ) -> dict:
        """Send one command; return its result once it and (if given) the event ``until`` have both arrived,
        within ``timeout`` seconds in all."""
        deadline = time.monotonic() + self.timeout
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self._session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        result, waiting = None, until
        while result is None or waiting:
            answer = self._read(deadline, method)
            if answer.get("method") in ("Inspector.targetCrashed", "Target.targetCrashed"):
                raise RuntimeError(f"Chromium's page crashed during {method}")
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"Chromium refused {method}: {answer['error']}")
                result = answer["result"]
            elif waiting and answer.get("method") == waiting:
                waiting = None
        return result

    def _read(self, deadline: float, method: str) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready = select.select([self._answers], [], [], max(left, 0))[0] if left > 0 else []
            if not ready:
                raise RuntimeError(f"Chromium did not answer {method} within {self.timeout} s")
            chunk = os.read(self._answers, 1 << 20)
            if not chunk:
                raise RuntimeError(f"Chromium stopped answering {method} (exit code {self._process.poll()})")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # no line per request on the terminal
        pass


class Served:
    """The site on 127.0.0.1 (a thread), as a context manager yielding its base URL."""

    def __init__(self, site: Path):
        handler = functools.partial(_QuietHandler, directory=str(site))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)

    def __enter__(self) -> str:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()  # the listening socket too (else a ResourceWarning when it is collected)


def report_sets(site: Path) -> list[Path]:
    return sorted(p for p in site.iterdir() if p.is_dir() and p.name.split("--")[0].isdigit())


def pages(site: Path, kinds=("policy", "review")) -> list[str]:
    """Every page of the site relative to it: the dashboard, each report set's index and reports."""
    out = ["index.html"]
    for set_dir in report_sets(site):
        if (set_dir / "index.html").exists():
            out.append(f"{set_dir.name}/index.html")
        out += [f"{set_dir.name}/{kind}/{f.name}" for kind in kinds for f in sorted((set_dir / kind).glob("*.html"))]
    return out


def inspect(site: Path, base: str, page_list: list[str]) -> dict[str, dict]:
    """Run the harness over ``page_list``; return each page's measurements by its path ('/2017/...')."""
    harness = site / "_check.html"
    harness.write_text(HARNESS % (json.dumps(["/" + p for p in page_list]), WIDTH))
    try:
        dom = run_chromium([f"--window-size={WIDTH + 40},1000", "--virtual-time-budget=180000", "--dump-dom",
                            f"{base}/_check.html"])
    finally:
        harness.unlink(missing_ok=True)
    match = re.search(r'<pre id="result">(.*?)</pre>', dom, re.S)
    assert match and match.group(1) != "pending", f"the harness did not finish: {dom[:500]}"
    found = {r["page"]: r for r in json.loads(html.unescape(match.group(1)))}
    for page, r in found.items():
        r["bytes"] = (site / page.lstrip("/")).stat().st_size
    return found
