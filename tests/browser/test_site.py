"""The generated report site, opened in headless Chromium (Debian's package, installed by .ci/run).

A small harness page, served with the site from 127.0.0.1, loads each page in an iframe and reports every
link's HTTP status and whether every image decoded; Chromium's rendered DOM carries the answer back.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from analysis import paths

ARTIFACTS = paths.PROJECT_ROOT / "test-artifacts"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
]

HARNESS = """<!DOCTYPE html><html><body><pre id="result">pending</pre>
<script>
const pages = %s;
async function check(page) {
  const frame = document.createElement('iframe');
  frame.style.width = '1200px'; frame.style.height = '800px';
  document.body.appendChild(frame);
  await new Promise(r => { frame.onload = r; frame.src = page; });
  const doc = frame.contentDocument;
  const imgs = [...doc.images].map(i => ({src: i.getAttribute('src').slice(0, 80), ok: i.complete && i.naturalWidth > 0,
                                          alt: i.getAttribute('alt') || ''}));
  const hrefs = [...doc.querySelectorAll('a[href]')].map(a => a.href)
                 .filter(h => h.startsWith(location.origin)).map(h => h.split('#')[0]);
  const links = [];
  for (const h of [...new Set(hrefs)]) { const r = await fetch(h); links.push({href: h, status: r.status}); }
  const rows = [...doc.querySelectorAll('tr.finding')].map(tr => tr.dataset.status);
  const summaryAlign = [...new Set([...doc.querySelectorAll('.compendium-summary td, .compendium-summary th')]
                        .map(c => getComputedStyle(c).textAlign))];
  frame.remove();
  return {page, imgs, links, rows, summaryAlign, title: doc.title};
}
(async () => {
  const out = [];
  for (const p of pages) out.push(await check(p));
  document.getElementById('result').textContent = JSON.stringify(out);
})();
</script></body></html>"""


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: .ci/run should have installed Debian's chromium")
        pytest.skip("Chromium not installed (CI installs it): apt-get install chromium")
    return found


@pytest.fixture(scope="module")
def served(full_run):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(full_run))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield full_run, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _run_chromium(args: list[str], tmp_path: Path) -> str:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    result = subprocess.run([_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                            capture_output=True, text=True, timeout=180)
    return result.stdout


def _pages(site: Path) -> list[str]:
    pages = ["index.html"]
    for year_dir in sorted(p for p in site.iterdir() if p.name.isdigit()):
        pages.append(f"{year_dir.name}/index.html")
        pages += [f"{year_dir.name}/{kind}/{f.name}" for kind in ("policy", "review")
                  for f in sorted((year_dir / kind).glob("*.html"))]
    return pages


@pytest.fixture(scope="module")
def report(served, tmp_path_factory):
    site, base = served
    (site / "_check.html").write_text(HARNESS % json.dumps(["/" + p for p in _pages(site)]))
    dom = _run_chromium(["--virtual-time-budget=120000", "--dump-dom", f"{base}/_check.html"],
                        tmp_path_factory.mktemp("chromium"))
    match = re.search(r'<pre id="result">(.*?)</pre>', dom, re.S)
    assert match and match.group(1) != "pending", f"the harness did not finish: {dom[:500]}"
    import html as html_mod

    return {r["page"]: r for r in json.loads(html_mod.unescape(match.group(1)))}


def test_every_link_and_image_resolves(report):
    broken_links = [(p, link["href"]) for p, r in report.items() for link in r["links"] if link["status"] != 200]
    broken_images = [(p, img["src"]) for p, r in report.items() for img in r["imgs"] if not img["ok"]]
    assert broken_links == [] and broken_images == []
    assert all(img["alt"] for r in report.values() for img in r["imgs"])


def test_dashboard_shows_every_finding_with_its_status(report, full_run):
    expected = []
    for year_dir in sorted((p for p in full_run.iterdir() if p.name.isdigit()), reverse=True):
        expected += [f["status"] for f in json.loads((year_dir / "findings.json").read_text())]
    assert report["/index.html"]["rows"] == expected
    assert len(expected) > 20 and "match" in expected


def test_findings_summary_reads_left_to_right(report):
    # The lab stylesheet right-aligns table cells; the summary's text columns must stay left-aligned.
    summaries = {p: r["summaryAlign"] for p, r in report.items() if "/policy/" in p or "/review/" in p}
    assert summaries and all(align == ["left"] for align in summaries.values()), summaries


def test_every_report_is_reachable_from_the_index_in_one_click(report, full_run):
    linked = {link["href"].split("/", 3)[3] for link in report["/index.html"]["links"]}
    reports = {p for p in _pages(full_run) if "/policy/" in p or "/review/" in p}
    assert reports <= linked


def test_screenshots(served, tmp_path):
    site, base = served
    ARTIFACTS.mkdir(exist_ok=True)
    policy = sorted((site / "2017" / "policy").glob("*.html"))[0].name
    for name, url in (("index.png", f"{base}/index.html"), ("policy-report.png", f"{base}/2017/policy/{policy}")):
        target = ARTIFACTS / name
        target.unlink(missing_ok=True)
        _run_chromium(["--window-size=1280,1800", f"--screenshot={target}", url], tmp_path)
        assert target.exists() and target.stat().st_size > 20_000, name
