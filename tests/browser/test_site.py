"""The report site as a reader sees it, in headless Chromium at 1280 px (Debian's package, installed by .ci/run):
every policy report, the review reports and the dashboards (see ``harness.py``). Screenshots of every policy
report and the dashboard are kept in ``test-artifacts/`` (git-ignored)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from analysis import paths

from .harness import WIDTH, Browser, Served, inspect, pages, report_sets

ARTIFACTS = paths.PROJECT_ROOT / "test-artifacts"
MAX_POLICY_BYTES = 400_000


# Session scope: one Chromium pass over every page serves every browser test, whatever order they run in.
@pytest.fixture(scope="session")
def site(request) -> Path:
    given = os.environ.get("COMPENDIUM_BROWSER_SITE")
    return Path(given) if given else request.getfixturevalue("full_run")


@pytest.fixture(scope="session")
def served(site):
    with Served(site) as base:
        yield site, base


@pytest.fixture(scope="session")
def report(served):
    site, base = served
    return inspect(site, base, pages(site))


def _policy(report):
    return {p: r for p, r in report.items() if "/policy/" in p}


def _dashboards(report):
    return {p: r for p, r in report.items() if p.endswith("/index.html")}


def test_every_link_and_image_resolves(report):
    broken_links = [(p, link["href"]) for p, r in report.items() for link in r["links"] if link["status"] != 200]
    broken_images = [(p, img["src"]) for p, r in report.items() for img in r["imgs"] if not img["ok"]]
    assert broken_links == [] and broken_images == []


def test_no_horizontal_overflow_at_1280_px(report):
    wide = {p: r["width"] for p, r in {**_policy(report), **_dashboards(report)}.items() if r["width"] > WIDTH}
    assert wide == {}, f"pages wider than the {WIDTH} px window: {wide}"


def test_no_notebook_debris(report):
    # Policy reports: no NaN/None/nan, raw LaTeX, Python reprs, tracebacks or warnings. Review reports and
    # dashboards (code aside): no NaN/None/nan or raw LaTeX.
    bad = {}
    for page, r in report.items():
        allowed = set() if "/policy/" in page else {"Python repr", "Traceback", "Warning:", "dtype:"}
        found = [d for d in r["debris"] if d not in allowed]
        if found:
            bad[page] = found
    assert bad == {}


def test_every_paragraph_table_and_figure_of_a_report_is_shown(report):
    """Nothing written for the reader is hidden: an element left open by the export (a heading's empty
    ``<a class="anchor-link"/>`` is one: HTML has no self-closing <a>, so the hidden link swallowed every
    paragraph and table after the heading) would hide the text that follows."""
    hidden = {p: r["hidden"][:3] for p, r in report.items() if "/index.html" not in p and r["hidden"]}
    assert hidden == {}, f"report text with no box on the page: {hidden}"


def test_no_table_shows_a_pandas_index(report):
    assert {p: r["indexTables"] for p, r in report.items() if r["indexTables"]} == {}


def test_every_figure_has_a_caption_and_alt_text(report):
    reports = {p: r for p, r in report.items() if "/policy/" in p or "/review/" in p}
    figures = [(p, img) for p, r in reports.items() for img in r["imgs"]]
    assert figures, "no figures in the reports"
    bad = [(p, img["src"][:40]) for p, img in figures if not img["alt"] or not img["caption"].strip()]
    assert bad == []
    # a caption says what the chart shows: more than "Figure 3. Performance maps"
    assert all(len(img["caption"]) > 60 for _, img in figures), [img["caption"] for _, img in figures
                                                               if len(img["caption"]) <= 60]


def test_every_finding_row_has_its_status_and_note(report):
    pages_with_rows = {p: r for p, r in {**_policy(report), **_dashboards(report)}.items() if "/policy/" in p
                       or p == "/index.html"}
    assert all(r["rows"] for p, r in pages_with_rows.items()), [p for p, r in pages_with_rows.items() if not r["rows"]]
    missing = [(p, i) for p, r in pages_with_rows.items() for i, row in enumerate(r["rows"]) if not row["note"]]
    assert missing == []


def test_policy_reports_are_lean_briefings(report):
    policy = _policy(report)
    assert policy
    assert {p: r["bytes"] for p, r in policy.items() if r["bytes"] >= MAX_POLICY_BYTES} == {}
    assert {p: r["codeCells"] for p, r in policy.items() if r["codeCells"]} == {}


def test_dashboard_shows_every_finding_with_its_status(report, site):
    from analysis.pipeline import site as site_module

    expected = [f["status"] for s in site_module.report_sets(site) for f in s["findings"]]
    assert [row["status"] for row in report["/index.html"]["rows"]] == expected
    assert len(expected) > 20 and "match" in expected


def test_dashboard_findings_filter_by_status_notebook_and_year(report):
    index = report["/index.html"]
    assert index["filters"] == ["status", "notebook", "year"]
    assert index["filtered"] and set(index["filtered"]) == {"match"}
    assert len(index["filtered"]) == sum(row["status"] == "match" for row in index["rows"])


def test_dashboard_lists_years_with_runs_and_variants_under_their_default(site):
    text = (site / "index.html").read_text(encoding="utf-8")
    sets = [p.name for p in report_sets(site) if (p / "manifest.json").exists()]
    years = sorted({int(s.split("--")[0]) for s in sets}, reverse=True)
    assert [int(y) for y in re.findall(r'<section class="year" id="year-(\d+)">', text)] == years
    sections = dict(zip(years, re.split(r'<section class="year" id="year-\d+">', text)[1:], strict=True))
    for name in sets:  # every set's reports are linked from its own year's section
        assert f'href="{name}/policy/' in sections[int(name.split("--")[0])], name


def test_findings_summary_aligns_text_left_and_numbers_right(report):
    cells = [(p, num, align) for p, r in report.items() if "/policy/" in p or "/review/" in p
             for num, align in r["align"]]
    assert cells
    assert [c for c in cells if c[2] != ("right" if c[1] else "left")] == []


def test_every_report_is_reachable_from_the_index_in_one_click(report, site):
    linked = {link["href"].split("/", 3)[3] for link in report["/index.html"]["links"]}
    reports = {p for p in pages(site) if "/policy/" in p or "/review/" in p}
    assert reports <= linked


def test_screenshots_of_every_policy_report_and_the_dashboard(served):
    site, base = served
    ARTIFACTS.mkdir(exist_ok=True)
    shots = [("index.png", "index.html")] + [
        (f"{p.split('/')[0]}--{Path(p).stem}.png", p) for p in pages(site, kinds=("policy",)) if "/policy/" in p]
    # one browser for every page: most of a headless Chromium's second is starting up, not drawing
    with Browser(WIDTH, 2400) as browser:
        for name, page in shots:
            target = ARTIFACTS / name
            target.unlink(missing_ok=True)
            browser.screenshot(f"{base}/{page}", target)
            assert target.exists() and target.stat().st_size > 20_000, name
    (ARTIFACTS / "screenshots.json").write_text(json.dumps([n for n, _ in shots], indent=1))
